package dev.loomservice.observe;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import com.sun.management.UnixOperatingSystemMXBean;

/** JVM memory, threads and GC, and process CPU, file descriptors and resident memory, from the platform MXBeans. */
final class JvmMetrics implements Metered {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;

    @Override
    public void writeMetrics(PrometheusText out) {
        var memory = ManagementFactory.getMemoryMXBean();
        area(out, "heap", memory.getHeapMemoryUsage());
        area(out, "nonheap", memory.getNonHeapMemoryUsage());
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            out.gauge("jvm_memory_pool_used_bytes", "Used bytes of a JVM memory pool.", pool.getUsage().getUsed(),
                      "pool", pool.getName());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        out.gauge("jvm_threads_live", "Live platform threads (virtual threads are not counted by the JVM here).",
                  threads.getThreadCount())
                .gauge("jvm_threads_daemon", "Live daemon platform threads.", threads.getDaemonThreadCount())
                .gauge("jvm_threads_peak", "Peak live platform threads since start.", threads.getPeakThreadCount());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.counter("jvm_gc_collections_total", "Collections by this collector.", gc.getCollectionCount(),
                        "gc", gc.getName())
                    .counter("jvm_gc_collection_seconds_total", "Time spent in this collector.",
                             gc.getCollectionTime() / 1e3, "gc", gc.getName());
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            out.counter("process_cpu_seconds_total", "CPU time used by the process.", os.getProcessCpuTime() / 1e9)
                    .gauge("process_open_fds", "Open file descriptors.", os.getOpenFileDescriptorCount())
                    .gauge("process_max_fds", "File descriptor limit.", os.getMaxFileDescriptorCount());
        }
        out.gauge("process_start_time_seconds", "Start time of the process, seconds since the epoch.",
                  ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3);
        residentBytes().ifPresent(rss -> out.gauge("process_resident_memory_bytes", "Resident memory of the process.",
                                                   rss));
    }

    private static void area(PrometheusText out, String area, MemoryUsage usage) {
        out.gauge("jvm_memory_used_bytes", "Used JVM memory.", usage.getUsed(), "area", area)
                .gauge("jvm_memory_committed_bytes", "Committed JVM memory.", usage.getCommitted(), "area", area)
                .gauge("jvm_memory_max_bytes", "Maximum JVM memory (-1: undefined).", usage.getMax(), "area", area);
    }

    /** Linux only: the second field of /proc/self/statm, in pages. */
    private static OptionalLong residentBytes() {
        try {
            String[] fields = Files.readString(STATM).trim().split(" ");
            return OptionalLong.of(Long.parseLong(fields[1]) * PAGE);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
