# Renders the app's sample scenes and public/samples/index.json (what each contains).
# Kept here, not in public/, so the script is not shipped with the site. From the repository root:
#   PYTHONPATH=training OMP_NUM_THREADS=2 /usr/bin/python3 -m gvt.make_samples
import json, numpy as np
from gvt.shapes import random_scene, render, caption, SHAPES
out = 'public/samples'
rng = np.random.default_rng(2026)
wanted_n = [3, 5, 2, 7, 4, 6]
samples = []
for i, n in enumerate(wanted_n, 1):
    # prefer scenes with repeated shapes so counting is interesting; alternate dark/light backgrounds
    for _ in range(200):
        sc = random_scene(rng, n=n)
        shapes = [o['shape'] for o in sc['objects']]
        dark = sum(sc['background']) < 300
        if max(shapes.count(s) for s in SHAPES) >= 2 and dark == (i % 2 == 0):
            break
    sc['noise'] = 0.0
    sc['antialias'] = True
    img = render(sc, 256)
    name = f'scene-{i}.png'
    img.save(f'{out}/{name}', optimize=True)
    objs = [{'shape': o['shape'], 'color': o['color']} for o in sc['objects']]
    samples.append({'file': name, 'caption': caption(sc['objects']), 'objects': objs})
json.dump({'size': 256, 'samples': samples}, open(f'{out}/index.json', 'w'), indent=1)
for s in samples: print(s['file'], s['caption'])
