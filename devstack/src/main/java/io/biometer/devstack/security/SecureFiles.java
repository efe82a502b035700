package io.biometer.devstack.security;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files only their owner may read: 0600 files in 0700 folders, where the file system says so. */
public final class SecureFiles {

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private SecureFiles() {}

  /** Creates (or empties) {@code file} with permissions 0600 and returns it. */
  public static Path create(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      directory(parent);
    }
    Files.deleteIfExists(file);
    if (POSIX) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    return file;
  }

  /** Writes {@code text} to a new 0600 {@code file}. */
  public static Path write(Path file, String text) throws IOException {
    return Files.writeString(create(file), text);
  }

  /** Creates {@code dir} (and its parents) with permissions 0700 for the last one. */
  public static Path directory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (POSIX) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    return dir;
  }

  /** The permissions of {@code file}, or null where the file system has none. */
  public static Set<PosixFilePermission> permissions(Path file) throws IOException {
    return POSIX ? Files.getPosixFilePermissions(file) : null;
  }
}
