package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.PerfDatasets;

class SmokeTest {
    @Test
    void loads_medium() throws Exception {
        PostgresTestServer s = PostgresTestServer.shared();
        String table = PostgresTestServer.uniqueName("smoke");
        try (RootAllocator a = new RootAllocator(); ArrowReader r = PerfDatasets.medium(a);
             Loader l = new PostgresLoaderProvider().create(s.loaderConfig().with("batch_size", 3000))) {
            LoadResult res = l.loadTable(r, table, LoadMode.APPEND);
            System.out.println(res);
            try (Connection c = s.connect(); ResultSet rs = c.createStatement().executeQuery("select count(*), min(created_date), max(updated_at) from \"" + table + "\"")) {
                rs.next();
                System.out.println(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
                assertThat(rs.getLong(1)).isEqualTo(10000);
                c.createStatement().execute("drop table \"" + table + "\"");
            }
        }
    }
}
