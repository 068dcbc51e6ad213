/**
 * A page as a viewer displays it: the CropBox clipped to the MediaBox, turned by /Rotate.
 * Field coordinates (top-left origin, y down, in points) live in this space; stamping and
 * upload validation both use it, so they agree on every odd page box.
 */
import type { PDFPage } from "pdf-lib";
import type { Box } from "./render-layout.ts";

/** [a b c d e f] of a PDF transformation matrix. */
type Matrix = [number, number, number, number, number, number];

/**
 * A page as the viewer displays it: its size after /Rotate, and the matrix
 * from "display space" (origin bottom-left of the displayed crop box, y up)
 * to the page's user space. Drawing in display space through this matrix
 * puts content where the viewer's user sees it, upright.
 */
export interface PageFrame {
  width: number;
  height: number;
  toUserSpace: Matrix;
}

function normalizedRect(rect: Box): Box {
  const x = Math.min(rect.x, rect.x + rect.width);
  const y = Math.min(rect.y, rect.y + rect.height);
  return { x, y, width: Math.abs(rect.width), height: Math.abs(rect.height) };
}

/** Viewers show the CropBox clipped to the MediaBox. */
function visibleBox(page: PDFPage): Box {
  const media = normalizedRect(page.getMediaBox());
  const crop = normalizedRect(page.getCropBox());
  const x = Math.max(media.x, crop.x);
  const y = Math.max(media.y, crop.y);
  const width = Math.min(media.x + media.width, crop.x + crop.width) - x;
  const height = Math.min(media.y + media.height, crop.y + crop.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : media;
}

/** /Rotate as 0, 90, 180 or 270 (360 and -90 are legal in the wild). */
function rotation(page: PDFPage): 0 | 90 | 180 | 270 {
  const quarters = Math.round(page.getRotation().angle / 90);
  return ((((quarters % 4) + 4) % 4) * 90) as 0 | 90 | 180 | 270;
}

export function pageFrame(page: PDFPage): PageFrame {
  const { x, y, width, height } = visibleBox(page);
  // /Rotate turns the page clockwise for display; each matrix undoes that.
  switch (rotation(page)) {
    case 0:
      return { width, height, toUserSpace: [1, 0, 0, 1, x, y] };
    case 90:
      return { width: height, height: width, toUserSpace: [0, 1, -1, 0, x + width, y] };
    case 180:
      return { width, height, toUserSpace: [-1, 0, 0, -1, x + width, y + height] };
    case 270:
      return { width: height, height: width, toUserSpace: [0, -1, 1, 0, x, y + height] };
  }
}


/** The inverse of an affine matrix. */
function invert([a, b, c, d, e, f]: Matrix): Matrix {
  const det = a * d - b * c;
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

const hundredths = (n: number) => Math.round(n * 100) / 100;

/**
 * The box around points of the page's user space, as field coordinates: points on the displayed
 * page, origin top-left, y down, clipped to the page, to 1/100 pt.
 */
export function displayedBox(page: PDFPage, points: readonly (readonly [number, number])[]): Box {
  const frame = pageFrame(page);
  const [a, b, c, d, e, f] = invert(frame.toUserSpace);
  const xs = points.map(([x, y]) => a * x + c * y + e);
  const ys = points.map(([x, y]) => frame.height - (b * x + d * y + f));
  const x = Math.max(0, Math.min(...xs));
  const y = Math.max(0, Math.min(...ys));
  const right = Math.min(frame.width, Math.max(...xs));
  const bottom = Math.min(frame.height, Math.max(...ys));
  return { x: hundredths(x), y: hundredths(y), width: hundredths(Math.max(0.01, right - x)), height: hundredths(Math.max(0.01, bottom - y)) };
}
