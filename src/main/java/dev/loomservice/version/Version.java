package dev.loomservice.version;

import picocli.CommandLine;

/**
 * The version, from the jar manifest ({@code dev} when run from classes). A leaf: the server, the commands and the
 * client's {@code User-Agent} all read it here, and it reads nothing of theirs.
 */
public final class Version implements CommandLine.IVersionProvider {
    /** {@code 1.2.3}, or {@code dev}. */
    public static String number() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** What {@code --version} prints. */
    @Override
    public String[] getVersion() {
        return new String[] {"loom-service " + number() + ", JDK " + Runtime.version()};
    }
}
