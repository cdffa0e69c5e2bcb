/** @packageDocumentation PASCAL VOC and COCO mAP, precision-recall curves */
export {};
