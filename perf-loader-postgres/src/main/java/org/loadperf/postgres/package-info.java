/**
 * The PostgreSQL loader (type {@code postgresql}): Arrow batches into PostgreSQL through binary COPY.
 *
 * <p>Only {@link org.loadperf.postgres.PostgresLoaderProvider} is public; it is found through
 * {@link java.util.ServiceLoader}. Keys: {@code host}, {@code port} (5432), {@code database}, {@code user},
 * {@code password}, {@code max_connections} (10), {@code batch_size} (10000), {@code connection_params},
 * {@code schema} (public; not a temporary schema), {@code create_table} (true), {@code key_columns},
 * {@code parallelism} (1), {@code connect_timeout_seconds} (10), {@code load_timeout_seconds} (300: the longest
 * one call may wait on the server before its connection is aborted), {@code unlogged_table} (false: create missing
 * tables UNLOGGED), {@code copy_freeze} (false: COPY ... FREEZE, OVERWRITE only). The README says what stays stored when the
 * server dies or freezes, and how long a call can block.
 *
 * <p>Type mapping of new tables (an existing table's own column types are used when the values fit without loss;
 * otherwise the load fails before sending anything, naming the column and both types):
 * <table>
 *   <caption>Arrow to PostgreSQL</caption>
 *   <tr><th>Arrow</th><th>PostgreSQL</th></tr>
 *   <tr><td>int8, int16, uint8</td><td>smallint</td></tr>
 *   <tr><td>int32, uint16</td><td>integer</td></tr>
 *   <tr><td>int64, uint32</td><td>bigint</td></tr>
 *   <tr><td>uint64</td><td>numeric(20,0)</td></tr>
 *   <tr><td>float16, float32 / float64</td><td>real / double precision</td></tr>
 *   <tr><td>decimal128, decimal256 (p, s)</td><td>numeric(p,s)</td></tr>
 *   <tr><td>utf8, large utf8</td><td>text (a NUL byte fails naming column and row)</td></tr>
 *   <tr><td>binary, large binary, fixed-size binary</td><td>bytea</td></tr>
 *   <tr><td>bool</td><td>boolean</td></tr>
 *   <tr><td>date32, date64</td><td>date</td></tr>
 *   <tr><td>time32 (s, ms), time64 (us, ns)</td><td>time (nanoseconds truncated to microseconds)</td></tr>
 *   <tr><td>timestamp s/ms/us/ns without / with a time zone</td><td>timestamp / timestamptz (ns truncated)</td></tr>
 *   <tr><td>list, large list, fixed-size list of a scalar</td><td>a one-dimensional array of the element's type</td></tr>
 *   <tr><td>struct, map, lists of nested values</td><td>jsonb</td></tr>
 * </table>
 */
package org.loadperf.postgres;
