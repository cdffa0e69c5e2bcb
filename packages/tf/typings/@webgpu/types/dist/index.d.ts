// Stands in for `@webgpu/types` in a consumer's type check. tfjs-core 4.22 declares
// `/// <reference types="@webgpu/types/dist" />`, and `@webgpu/types` redeclares the WebGPU types that
// TypeScript 6's `lib.dom.d.ts` already has, in conflicting shapes (TS6200, TS2717). With this folder
// first in `typeRoots` (see the README: "Using the packages from TypeScript"), the reference resolves
// here and the WebGPU types come from lib.dom alone. Types only: nothing here runs.
