// Times DuckDB (one thread) writing the rows of a Parquet file as snappy Parquet: node anchor.mjs in.parquet outdir runs
import { DuckDBInstance } from '@duckdb/node-api';
const [input, outDir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await db.connect();
await c.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${input.replaceAll("'", "''")}')`);
const rows = Number((await c.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
const seconds = [];
for (let i = 0; i < runs; i++) {
  const out = `${outDir}/duckdb-${i}.parquet`;
  const t0 = process.hrtime.bigint();
  await c.run(`COPY t TO '${out.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`);
  seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
console.log(JSON.stringify({ rows, seconds }));
