// The embedded default project: generated, deterministic samples that exercise both operations.
// Each image hides its answer in a small region (a seven-segment number on a tiny sign, or a
// small bordered square among clutter), so the answer is only readable after a crop; each video
// shows a number in a few of its 16 frames, so select_frames matters. No fonts or downloads.
import sharp from 'sharp'
import type { MediaRef, NormalizedBbox } from '../../shared/contract'
import type { Project } from './project'
import type { NewSample } from '../samples/sample-repository'

export interface SampleDataOptions {
  images?: number
  videos?: number
  seed?: number
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export const SEGMENTS: Record<string, string> = {
  // segments a b c d e f g
  '0': 'abcdef', '1': 'bc', '2': 'abged', '3': 'abgcd', '4': 'fgbc',
  '5': 'afgcd', '6': 'afgedc', '7': 'abc', '8': 'abcdefg', '9': 'abcdfg'
}

/** SVG rectangles drawing `text` (digits only) as seven-segment glyphs at (x, y). */
export function sevenSegment(text: string, x: number, y: number, h: number, color: string): string {
  const w = h * 0.5
  const t = Math.max(1, h * 0.12)
  const parts: string[] = []
  ;[...text].forEach((ch, i) => {
    const ox = x + i * (w + t * 2)
    const seg: Record<string, [number, number, number, number]> = {
      a: [ox, y, w, t], d: [ox, y + h - t, w, t], g: [ox, y + h / 2 - t / 2, w, t],
      f: [ox, y, t, h / 2], b: [ox + w - t, y, t, h / 2], e: [ox, y + h / 2, t, h / 2], c: [ox + w - t, y + h / 2, t, h / 2]
    }
    for (const s of SEGMENTS[ch] ?? '') {
      const r = seg[s]
      if (r) parts.push(`<rect x="${r[0].toFixed(1)}" y="${r[1].toFixed(1)}" width="${r[2].toFixed(1)}" height="${r[3].toFixed(1)}" fill="${color}"/>`)
    }
  })
  return parts.join('')
}

/** mulberry32: a tiny seeded PRNG, so the same seed always yields the same project. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const COLORS = { red: '#d62828', green: '#2a9d3f', blue: '#1d4ed8', yellow: '#eab308' } as const
type ColorName = keyof typeof COLORS

/** `count` gray shapes; `scale` sizes them for images other than the sample project's 1280 px. */
export function clutter(rand: () => number, width: number, height: number, count: number, scale = 1): string {
  const shapes: string[] = []
  for (let i = 0; i < count; i++) {
    const gray = Math.floor(90 + rand() * 120)
    const fill = `rgb(${gray},${Math.floor(gray * (0.85 + rand() * 0.3))},${Math.floor(gray * (0.8 + rand() * 0.3))})`
    const x = rand() * width
    const y = rand() * height
    const s = (20 + rand() * 140) * scale
    shapes.push(rand() < 0.5 ? `<rect x="${x.toFixed(0)}" y="${y.toFixed(0)}" width="${s.toFixed(0)}" height="${(s * (0.4 + rand())).toFixed(0)}" fill="${fill}" opacity="0.8"/>` : `<circle cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" r="${(s / 2).toFixed(0)}" fill="${fill}" opacity="0.8"/>`)
  }
  return shapes.join('')
}

export function svg(width: number, height: number, body: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#8fa6b8"/><stop offset="1" stop-color="#4b5d4a"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/>${body}</svg>`
  )
}

export function normalized(x: number, y: number, w: number, h: number, width: number, height: number): NormalizedBbox {
  const r = (v: number): number => Math.round(v * 1e4) / 1e4
  return [r(x / width), r(y / height), r((x + w) / width), r((y + h) / height)]
}

interface Scene {
  bytes: Buffer
  question: string
  answer: string
  answerType: NewSample['answerType']
  choices?: string[]
  bbox: NormalizedBbox
}

async function numberSignScene(rand: () => number, width: number, height: number): Promise<Scene> {
  const value = String(10 + Math.floor(rand() * 990))
  const digitH = 14 + Math.floor(rand() * 6)
  const signW = value.length * digitH * 0.75 + 14
  const signH = digitH + 12
  const x = 40 + rand() * (width - signW - 80)
  const y = 40 + rand() * (height - signH - 80)
  const body =
    clutter(rand, width, height, 70) +
    `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${signW.toFixed(1)}" height="${signH.toFixed(1)}" fill="#f8f8f2" stroke="#222" stroke-width="2"/>` +
    sevenSegment(value, x + 7, y + 6, digitH, '#111')
  const bytes = await sharp(svg(width, height, body)).jpeg({ quality: 90 }).toBuffer()
  const pad = 6
  return {
    bytes,
    question: 'What number is written on the small white sign?',
    answer: value,
    answerType: 'number',
    bbox: normalized(x - pad, y - pad, signW + 2 * pad, signH + 2 * pad, width, height)
  }
}

async function colorSquareScene(rand: () => number, width: number, height: number): Promise<Scene> {
  const names = Object.keys(COLORS) as ColorName[]
  const color = names[Math.floor(rand() * names.length)] ?? 'red'
  const size = 16 + rand() * 8
  const x = 40 + rand() * (width - size - 80)
  const y = 40 + rand() * (height - size - 80)
  const body =
    clutter(rand, width, height, 90) +
    `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${size.toFixed(1)}" height="${size.toFixed(1)}" fill="${COLORS[color]}" stroke="#000" stroke-width="3"/>`
  const bytes = await sharp(svg(width, height, body)).jpeg({ quality: 90 }).toBuffer()
  const letters = ['A', 'B', 'C', 'D']
  return {
    bytes,
    question: `What is the color of the small square with a thick black border?\n${names.map((n, i) => `${letters[i]}. ${n}`).join('\n')}`,
    answer: letters[names.indexOf(color)] ?? 'A',
    answerType: 'multiple_choice',
    choices: names.map((n, i) => `${letters[i]}. ${n}`),
    bbox: normalized(x - 8, y - 8, size + 16, size + 16, width, height)
  }
}

async function videoFrames(rand: () => number, frames: number): Promise<{ frames: Buffer[]; answer: string; key: number[] }> {
  const width = 480
  const height = 270
  const value = String(1 + Math.floor(rand() * 98))
  const start = 3 + Math.floor(rand() * (frames - 7))
  const key = [start, start + 1, start + 2]
  const phase = rand() * Math.PI * 2
  const ball = `hsl(${Math.floor(rand() * 360)}, 80%, 55%)`
  const out: Buffer[] = []
  for (let f = 0; f < frames; f++) {
    const cx = 30 + (f / (frames - 1)) * (width - 60)
    const cy = height / 2 + Math.sin(f / 2 + phase) * 60
    let body = `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="18" fill="${ball}"/>`
    if (key.includes(f)) body += `<rect x="${width - 70}" y="10" width="60" height="34" fill="#fff"/>` + sevenSegment(value, width - 64, 15, 24, '#000')
    out.push(await sharp(svg(width, height, body)).png().toBuffer())
  }
  return { frames: out, answer: value, key }
}

/** Fills `project` with generated samples. Returns how many were added. */
export async function addSampleData(project: Project, options: SampleDataOptions = {}): Promise<number> {
  const images = options.images ?? 10
  const videos = options.videos ?? 2
  const rand = seededRandom(options.seed ?? 20250521)
  const total = images + videos
  let done = 0
  const step = (): void => {
    done++
    options.onProgress?.(done, total)
  }
  for (let i = 0; i < images; i++) {
    options.signal?.throwIfAborted()
    const width = 1280
    const height = 960
    const scene = i % 3 === 2 ? await colorSquareScene(rand, width, height) : await numberSignScene(rand, width, height)
    const media: MediaRef = await project.media.put(scene.bytes)
    project.samples.insert({
      id: `sample-img-${String(i + 1).padStart(3, '0')}`,
      kind: 'image',
      question: scene.question,
      answer: scene.answer,
      answerType: scene.answerType,
      ...(scene.choices ? { choices: scene.choices } : {}),
      source: 'generated:sample-project',
      media: [media],
      cues: [{ kind: 'bbox', imageIndex: 0, bbox: scene.bbox, sourceWidth: width, sourceHeight: height }]
    })
    step()
  }
  for (let v = 0; v < videos; v++) {
    options.signal?.throwIfAborted()
    const video = await videoFrames(rand, 16)
    const media: MediaRef[] = []
    for (const frame of video.frames) media.push(await project.media.put(frame))
    project.samples.insert({
      id: `sample-vid-${String(v + 1).padStart(3, '0')}`,
      kind: 'video',
      question: 'Which number briefly appears in the white box at the top right?',
      answer: video.answer,
      answerType: 'number',
      source: 'generated:sample-project',
      media,
      cues: [{ kind: 'frames', frames: video.key }]
    })
    step()
  }
  return total
}
