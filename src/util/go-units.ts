// docker/go-units size formatting as buildx prints GC limits (`488.3MiB`): binary units, four
// significant digits in Go's %g style.
import { formatG } from './go-float.js';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** units.BytesSize: the size divided by 1024 while it reaches 1024, up to YiB. */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < BINARY_UNITS.length - 1) {
    size /= 1024;
    i++;
  }
  return `${formatG(size, 4)}${BINARY_UNITS[i]}`;
}
