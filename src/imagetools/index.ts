// imagetools as a library: inspect (load and print) and create (combine sources into one index, copy
// and push it). The multi-node build merge uses combine() and push() directly.
export type { Descriptor, Index, Manifest, Platform } from '../registry/types.js';
export { MediaType } from '../registry/types.js';
export type { RegistryHostConfig, RegistryOptions } from '../registry/options.js';
export { parseLocation, OCILayoutLocation, RegistryLocation, type Location } from '../registry/location.js';
export { ImageTools, type CombineSource, type CombineResult } from './image-tools.js';
export { parseAnnotations, annotationKeyString, parseAnnotationKey, type AnnotationKey } from './annotations.js';
export { parseOCIPlatform, formatPlatform } from './platforms.js';
export { Ingester } from './copy.js';
export type { DescWithSource, Source } from './combine.js';
