// Browser code for scripts/eval-canvas.ts, loaded into a blank page as it is (not through tsx,
// whose helpers a serialized function would lack). Draws a Shapes World scene with Chromium's
// 2D canvas (Skia): a renderer of its own, sharing no code or choices with training/gvt, so a
// set drawn by it checks the model against a renderer it never saw. Colours, background,
// rotations, noise and the photo's light and camera are drawn here from the spec's ranges;
// only the objects' shapes, colour names, centres and sizes come from the scene.

const BASE = { red: [220, 40, 40], orange: [245, 140, 30], yellow: [235, 215, 40], green: [40, 180, 60], blue: [50, 90, 230], purple: [150, 60, 200] };

function generator(seed) {
  let x = seed >>> 0;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return {
    uniform: (a, b) => a + next() * (b - a),
    chance: (p) => next() < p,
    gauss: () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next()),
  };
}

/** Outline points around (0, 0), before wobble: a circle as a 48-gon, polygons with densified edges. */
function outline(shape, r, rng) {
  if (shape === 'circle') return Array.from({ length: 48 }, (_, k) => [r * Math.sin((k * Math.PI) / 24), -r * Math.cos((k * Math.PI) / 24)]);
  let corners;
  if (shape === 'square') {
    const a = (rng.uniform(-15, 15) * Math.PI) / 180;
    const h = 0.7 * r;
    corners = [[-h, -h], [h, -h], [h, h], [-h, h]].map(([u, v]) => [u * Math.cos(a) - v * Math.sin(a), u * Math.sin(a) + v * Math.cos(a)]);
  } else {
    const n = shape === 'triangle' ? 3 : 10;
    const turn = rng.uniform(0, 2 * Math.PI);
    corners = Array.from({ length: n }, (_, k) => {
      const rr = shape === 'star' && k % 2 ? 0.45 * r : r;
      const t = turn + (k * 2 * Math.PI) / n;
      return [rr * Math.sin(t), -rr * Math.cos(t)];
    });
  }
  return corners.flatMap((p, k) => {
    const q = corners[(k + 1) % corners.length];
    return [0, 0.25, 0.5, 0.75].map((t) => [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t]);
  });
}

/** A scissors wobble: a smooth radial offset along the outline, at most `amount` r. */
function wobbled(points, r, amount, rng) {
  if (!amount) return points;
  const size = rng.uniform(0, amount) * r;
  const waves = [2, 3, 5].map((f) => [f, rng.uniform(0, 2 * Math.PI), rng.uniform(0.3, 1)]);
  const total = waves.reduce((s, [, , w]) => s + w, 0);
  return points.map(([u, v]) => {
    const t = Math.atan2(v, u);
    const d = Math.hypot(u, v) || 1e-6;
    const shift = (size * waves.reduce((s, [f, p, w]) => s + w * Math.sin(f * t + p), 0)) / total;
    return [(u * (d + shift)) / d, (v * (d + shift)) / d];
  });
}

function drawObjects(ctx, scene, px, rng, wobble) {
  for (const o of scene.objects) {
    const rgb = BASE[o.color].map((v) => Math.max(0, Math.min(255, Math.round(v + rng.uniform(-20, 20)))));
    ctx.fillStyle = `rgb(${rgb})`;
    const r = o.r * px;
    const points = wobbled(outline(o.shape, r, rng), r, wobble, rng);
    ctx.beginPath();
    points.forEach(([u, v], k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, o.cx * px + u, o.cy * px + v));
    ctx.closePath();
    ctx.fill();
  }
}

function addNoise(ctx, px, sigma, rng) {
  const image = ctx.getImageData(0, 0, px, px);
  for (let p = 0; p < image.data.length; p += 4) for (let c = 0; c < 3; c++) image.data[p + c] += sigma * rng.gauss();
  ctx.putImageData(image, 0, 0);
}

function canvas(px) {
  const c = document.createElement('canvas');
  c.width = c.height = px;
  return [c, c.getContext('2d')];
}

/** A rendered scene: a flat dark or light background, optional noise (spec, "Scenes"). */
function rendered(scene, px, rng) {
  const [c, ctx] = canvas(px);
  const level = rng.chance(0.5) ? rng.uniform(0, 45) : rng.uniform(195, 240);
  ctx.fillStyle = `rgb(${[0, 1, 2].map(() => Math.round(level + rng.uniform(0, 15)))})`;
  ctx.fillRect(0, 0, px, px);
  drawObjects(ctx, scene, px, rng, 0);
  if (rng.chance(0.5)) addNoise(ctx, px, rng.uniform(0, 8), rng);
  return c;
}

/** The desk: grey, or a wood tone with grain, never one of the six colours. */
function desk(ctx, px, rng) {
  const grey = rng.uniform(70, 170);
  const base = rng.chance(0.5) ? [grey, grey, grey] : [rng.uniform(120, 170), rng.uniform(90, 125), rng.uniform(60, 90)];
  const period = rng.uniform(6, 20);
  const phase = rng.uniform(0, 6);
  const wood = base[0] !== base[2];
  const image = ctx.createImageData(px, px);
  for (let y = 0; y < px; y++) {
    for (let x = 0; x < px; x++) {
      const p = (y * px + x) * 4;
      const grain = wood ? 10 * Math.sin(y / period + phase + 0.6 * Math.sin(x / 40)) : 0;
      const n = 4 * rng.gauss();
      for (let c = 0; c < 3; c++) image.data[p + c] = base[c] + grain + n;
      image.data[p + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

/** A photographed card (spec, "Photographed scenes"); the card turned and sheared (an affine stand-in for perspective). */
async function photographed(scene, px, rng) {
  const [card, cardCtx] = canvas(px);
  const light = rng.chance(0.7);
  const level = light ? rng.uniform(215, 250) : rng.uniform(8, 40);
  cardCtx.fillStyle = `rgb(${[0, 1, 2].map(() => Math.round(level + rng.uniform(-5, 5)))})`;
  cardCtx.fillRect(0, 0, px, px);
  drawObjects(cardCtx, scene, px, rng, 0.08);
  if (light) addNoise(cardCtx, px, 1.5, rng);

  const [frame, ctx] = canvas(px);
  desk(ctx, px, rng);
  const side = rng.uniform(0.7, 1) * px;
  const x0 = rng.uniform(0, px - side);
  const y0 = rng.uniform(0, px - side);
  ctx.save();
  ctx.translate(x0 + side / 2, y0 + side / 2);
  ctx.rotate((rng.uniform(-3, 3) * Math.PI) / 180);
  ctx.transform(1, rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03), 1, 0, 0);
  ctx.drawImage(card, -side / 2, -side / 2, side, side);
  ctx.restore();

  const image = ctx.getImageData(0, 0, px, px);
  const bright = rng.uniform(0.75, 1);
  const falloff = rng.uniform(-0.2, 0.2);
  const dir = rng.uniform(0, 2 * Math.PI);
  const [red, blue] = [1 + rng.uniform(-0.12, 0.12), 1 + rng.uniform(-0.12, 0.12)];
  for (let y = 0; y < px; y++) {
    for (let x = 0; x < px; x++) {
      const p = (y * px + x) * 4;
      const l = bright * (1 + 2 * falloff * ((x / px - 0.5) * Math.cos(dir) + (y / px - 0.5) * Math.sin(dir)));
      image.data[p] *= l * red;
      image.data[p + 1] *= l;
      image.data[p + 2] *= l * blue;
    }
  }
  ctx.putImageData(image, 0, 0);

  const [camera, cameraCtx] = canvas(px);
  cameraCtx.filter = `blur(${((rng.uniform(0, 1.1) * px) / 256).toFixed(2)}px)`;
  cameraCtx.drawImage(frame, 0, 0);
  cameraCtx.filter = 'none';
  addNoise(cameraCtx, px, rng.uniform(0, 6), rng);
  const jpeg = new Image();
  jpeg.src = camera.toDataURL('image/jpeg', rng.uniform(0.45, 0.85));
  await jpeg.decode();
  const [out, outCtx] = canvas(px);
  outCtx.drawImage(jpeg, 0, 0);
  return out;
}

/** The scene as a PNG data URL, 256-512 px square. */
window.drawScene = async (scene, seed, photo) => {
  const rng = generator(seed);
  const px = 256 + Math.floor(rng.uniform(0, 257));
  const c = photo ? await photographed(scene, px, rng) : rendered(scene, px, rng);
  return c.toDataURL('image/png');
};
