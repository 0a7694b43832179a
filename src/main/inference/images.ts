// Decoding and encoding for the agent loop's images. Images travel as raw RGB pixels so a worker
// can receive them without decoding twice; PNG only where a person will look at them. Decoding is
// pixel-ops' one decode (decodeForModel), which matches PIL as the reference opens images: no
// EXIF transpose, transparent pixels composited on white (resources/test-vectors/decode.json).
import sharp from 'sharp'
import { decodeForModel } from '../pixel-ops/image'
import type { VlmImage } from './vlm-session'

export async function decodeImage(bytes: Uint8Array): Promise<VlmImage> {
  const { data, width, height } = await decodeForModel(bytes, null)
  return { width, height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}

export async function encodePng(image: VlmImage): Promise<Uint8Array> {
  const buf = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).png().toBuffer()
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
}
