/**
 * The output size of a `width`x`height` monitor within `maxWidth`x`maxHeight`: aspect kept, never upscaled,
 * both sides even (yuv420p needs it; an odd side loses one pixel).
 */
export function fitWithin(
  width: number,
  height: number,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  const ratio = Math.min(1, maxWidth / width, maxHeight / height);
  const even = (value: number, max: number) =>
    Math.max(2, Math.min(2 * Math.round(value / 2), max - (max % 2)));
  return {
    width: even(width * ratio, Math.min(width, maxWidth)),
    height: even(height * ratio, Math.min(height, maxHeight)),
  };
}
