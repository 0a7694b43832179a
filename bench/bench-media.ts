// The few real images the trace benchmarks build their traces on: 4 originals, 16 video frames,
// 3 crops (solid PNGs: the store, not the pixels, is what they measure).
import sharp from 'sharp'
import type { MediaRef } from '../src/shared/contract'
import type { Project } from '../src/main/project/project'

async function png(width: number, height: number, r: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g: 90, b: 160 } } }).png().toBuffer()
}

export async function benchMedia(project: Project): Promise<{ originals: MediaRef[]; frames: MediaRef[]; crops: MediaRef[] }> {
  const originals: MediaRef[] = []
  for (let i = 0; i < 4; i++) originals.push(await project.media.put(await png(640, 480, 40 * i)))
  const frames: MediaRef[] = []
  for (let i = 0; i < 16; i++) frames.push(await project.media.put(await png(160, 120, 10 * i + 5)))
  const crops: MediaRef[] = []
  for (let i = 0; i < 3; i++) crops.push(await project.media.put(await png(448, 336, 60 * i + 20)))
  return { originals, frames, crops }
}
