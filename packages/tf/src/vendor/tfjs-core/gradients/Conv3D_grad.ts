/**
 * @license
 * Copyright 2020 Google LLC. All Rights Reserved.
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 * http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 * =============================================================================
 */
// Vendored from @tensorflow/tfjs-core 4.22.0 by scripts/vendor-tfjs-core.mjs. Do not edit.
// @ts-nocheck
// biome-ignore-all lint: vendored upstream code, kept verbatim
// biome-ignore-all format: vendored upstream code, kept verbatim
import { Conv3D, Tensor, util } from "@tensorflow/tfjs-core";
import type { Conv3DAttrs, GradConfig, NamedAttrMap, Tensor5D } from "@tensorflow/tfjs-core";
import { attrsAs, tupleValuesAreOne } from "../../../internal/tfjs-internal.js";
import {conv3DBackpropFilter} from "./ops/conv3d_backprop_filter.js";
import {conv3DBackpropInput} from "./ops/conv3d_backprop_input.js";

export const conv3DGradConfig: GradConfig = {
  kernelName: Conv3D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor5D, saved: Tensor[], attrs: NamedAttrMap) => {
    const {dilations, strides, pad} = attrsAs<Conv3DAttrs>(attrs);
    util.assert(
        tupleValuesAreOne(dilations),
        () =>
            'Error in gradient of conv3D: dilation rates greater than 1 are ' +
            `not yet supported in gradients. Got dilations '${dilations}'`);

    const [x5D, $filter] = saved;

    return {
      x: () => conv3DBackpropInput(
          (x5D as Tensor5D).shape, dy, $filter as Tensor5D, strides, pad),
      filter: () => conv3DBackpropFilter(
          x5D as Tensor5D, dy, ($filter as Tensor5D).shape, strides, pad)
    };
  }
};
