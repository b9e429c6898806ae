package dev.loomservice;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
/**
 * One command line run in this JVM, exactly as {@code java -jar loom-service.jar ARGS} parses and runs it (the
 * same {@link Main} command tree), with stdout and stderr captured. Faster than a process; use
 * {@link ServiceProcess} where signals or the packaged jar matter.
 */
public record Cli(int exitCode, String out, String err) {

    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new Main())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    public List<String> outLines() {
        return out.lines().toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
}
