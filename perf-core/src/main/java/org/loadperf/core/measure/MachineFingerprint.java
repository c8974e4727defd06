package org.loadperf.core.measure;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.loadperf.api.annotation.Api;

/**
 * What machine a run was measured on: enough to tell that a baseline comes from another machine, nothing that
 * identifies a person (no host or user names).
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class MachineFingerprint {

    /** The keys that must match for two runs to count as the same machine. */
    static final Set<String> IDENTITY_KEYS = Set.of("os", "arch", "cpus", "memory_mb", "jvm");

    private MachineFingerprint() {
    }

    public static Map<String, String> current() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        f.put("arch", System.getProperty("os.arch"));
        f.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            f.put("memory_mb", String.valueOf(os.getTotalMemorySize() / (1024 * 1024)));
        }
        f.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        f.put("max_heap_mb", String.valueOf(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        return f;
    }

    /** The identity keys whose values differ between two fingerprints (none when either is empty). */
    public static Map<String, String> differences(Map<String, String> baseline, Map<String, String> current) {
        Map<String, String> diff = new LinkedHashMap<>();
        if (baseline.isEmpty() || current.isEmpty()) {
            return diff;
        }
        for (String key : IDENTITY_KEYS.stream().sorted().toList()) {
            String b = baseline.get(key);
            String c = current.get(key);
            if (b != null && c != null && !b.equals(c)) {
                diff.put(key, b + " -> " + c);
            }
        }
        return diff;
    }
}
