"""The Pixel Reasoner rules in Python, ONE copy shared by every Python consumer: the shared-vector
checks (resources/test-vectors/check_*.py) and the trainers (resources/trainer/trl). Each
module is a line-for-line port of the TypeScript rule it names, checked against the same vectors.

- pixel_ops: crop geometry, smart_resize, what a call addresses, crop execution with Pillow
- toolcall:  tool schemas, the system/user prompt, observation texts, call detection and parsing
- scoring:   exact-match correctness (src/shared/eval/scoring.ts)
- reward:    the Pixel Reasoner reward, paper and released formulas (src/shared/reward)
"""
