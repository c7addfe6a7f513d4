// Go `os.FileMode` bits, which is what fsutil puts on the wire in Stat.mode (not POSIX st_mode).

export const GoMode = {
  DIR: 0x80000000,
  SYMLINK: 0x08000000,
  DEVICE: 0x04000000,
  NAMED_PIPE: 0x02000000,
  SOCKET: 0x01000000,
  SETUID: 0x00800000,
  SETGID: 0x00400000,
  CHAR_DEVICE: 0x00200000,
  STICKY: 0x00100000,
  IRREGULAR: 0x00080000,
  /** Every type bit; a mode with none of them is a regular file. */
  TYPE: 0x8f280000,
  PERM: 0o777,
} as const;

const S_IFMT = 0o170000;

/** Converts POSIX st_mode to Go FileMode bits, as Go's os.Lstat does on Linux. */
export function goModeFromPosix(stMode: number): number {
  let m = stMode & 0o777;
  switch (stMode & S_IFMT) {
    case 0o060000:
      m |= GoMode.DEVICE;
      break;
    case 0o020000:
      m |= GoMode.DEVICE | GoMode.CHAR_DEVICE;
      break;
    case 0o040000:
      m |= GoMode.DIR;
      break;
    case 0o010000:
      m |= GoMode.NAMED_PIPE;
      break;
    case 0o120000:
      m |= GoMode.SYMLINK;
      break;
    case 0o140000:
      m |= GoMode.SOCKET;
      break;
  }
  if (stMode & 0o4000) m |= GoMode.SETUID;
  if (stMode & 0o2000) m |= GoMode.SETGID;
  if (stMode & 0o1000) m |= GoMode.STICKY;
  return m >>> 0;
}

/** The chmod(2) argument Go derives from FileMode bits: permissions plus setuid/setgid/sticky. */
export function posixPermFromGo(mode: number): number {
  let p = mode & 0o777;
  if (mode & GoMode.SETUID) p |= 0o4000;
  if (mode & GoMode.SETGID) p |= 0o2000;
  if (mode & GoMode.STICKY) p |= 0o1000;
  return p;
}

/** Only regular files carry data in DiffCopy; both sides must agree on this test. */
export const isRegularMode = (mode: number): boolean => (mode & GoMode.TYPE) === 0;
export const isDirMode = (mode: number): boolean => (mode & GoMode.DIR) !== 0;
export const isSymlinkMode = (mode: number): boolean => (mode & GoMode.SYMLINK) !== 0;

