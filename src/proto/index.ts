// Generated protobuf code (see scripts/build.mjs) re-exported under stable names.
export { moby, pb, fsutil, google, grpc as grpcHealth, containerd } from './gen/buildkit.js';
