// A large "photo" made with sharp: a soft gradient with one small numbered sign (the cue), as a
// JPEG, so the canvas specs and benchmarks work on V*-sized images without shipping any.
import sharp from 'sharp'

export interface Cue {
  left: number
  top: number
  width: number
  height: number
}

export async function writePhoto(file: string, size: { width: number; height: number }, cue: Cue, digit = '7'): Promise<void> {
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#5b7a99"/><stop offset="1" stop-color="#b8c7a1"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`
  )
  const sign = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cue.width}" height="${cue.height}"><rect width="100%" height="100%" fill="#ffd166" stroke="#222" stroke-width="3"/><text x="${cue.width / 2}" y="${cue.height * 0.8}" font-size="${Math.round(cue.height * 0.78)}" font-family="sans-serif" font-weight="bold" text-anchor="middle" fill="#222">${digit}</text></svg>`
  )
  await sharp(gradient).composite([{ input: sign, left: cue.left, top: cue.top }]).jpeg({ quality: 85 }).toFile(file)
}
