/** A small real PNG (16×16, one colour), for image sharing tests and screenshots. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGElEQVR42mNk+M9AEmAc1TCqYVTDcNUAAEvZEAE2gKwLAAAAAElFTkSuQmCC', 'base64');
