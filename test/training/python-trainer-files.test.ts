// The Python the TRL and verl adapters ship, run for real (Debian python3 + Pillow) against the
// shared Pixel Reasoner rules (resources/trainer/pixel_reasoner). TRL
// and verl themselves cannot be installed here (PyPI only); what runs without them is checked:
// the verl batch reward, the TRL environment's tools and the TRL reward function.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resourcesDir } from '../../src/main/training/paths'

const trainer = join(resourcesDir(), 'trainer')
const rules = join(trainer, 'pixel_reasoner', 'reward.py')
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

describe('trainer Python (TRL environment and reward, verl tools and reward)', () => {
  it.skipIf(!existsSync(rules))('computes rewards per group, crops with the reference rules, and reports rollouts', () => {
    const out = execFileSync(python, ['test/training/fixtures/check_trainer_python.py'], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: [trainer, join(trainer, 'trl'), join(trainer, 'verl')].join(':'), PYTHONDONTWRITEBYTECODE: '1' }
    })
    expect(out.trim()).toBe('ok')
  })
})
