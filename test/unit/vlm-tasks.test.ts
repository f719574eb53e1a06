import { describe, expect, it } from 'vitest';
import { answerLimit, detectionAnswer, repetitionPenalty, matchingBoxes, parseFlorenceBoxes, singular, taskQuestion, unsupportedReason } from '../../src/hub/vlm-tasks';

describe('Florence-2 detections', () => {
  it('turns <OD> location bins into boxes in image pixels, repeating a left-out label', () => {
    const boxes = parseFlorenceBoxes('</s><s>car<loc_0><loc_500><loc_999><loc_999><loc_10><loc_20><loc_30><loc_40>person<loc_100><loc_100><loc_200><loc_300></s>', 1000, 500);
    expect(boxes.map((b) => b.label)).toEqual(['car', 'car', 'person']);
    const [x1, y1, x2, y2] = [boxes[0].x1, boxes[0].y1, boxes[0].x2, boxes[0].y2];
    [x1, y1, x2, y2].forEach((v, i) => expect(v).toBeCloseTo([0.5, 250.25, 999.5, 499.75][i]));
    expect(boxes[2].x2).toBeCloseTo(200.5);
    expect(boxes[2].y2).toBeCloseTo(150.25);
    expect(parseFlorenceBoxes('a caption with no boxes', 10, 10)).toEqual([]);
  });

  it('counts what the user named, in any number, and everything for "objects"', () => {
    const boxes = ['cat', 'cat', 'dog', 'person', 'wine glass', 'bus'].map((label) => ({ label, x1: 0, y1: 0, x2: 1, y2: 1 }));
    expect(matchingBoxes(boxes, 'cats')).toHaveLength(2);
    expect(matchingBoxes(boxes, 'Cat')).toHaveLength(2);
    expect(matchingBoxes(boxes, 'people')).toHaveLength(1);
    expect(matchingBoxes(boxes, 'glasses')).toHaveLength(1);
    expect(matchingBoxes(boxes, 'buses')).toHaveLength(1);
    expect(matchingBoxes(boxes, 'objects')).toHaveLength(6);
    expect(matchingBoxes(boxes, 'horses')).toHaveLength(0);
    expect(detectionAnswer({ task: 'count', object: 'cats' }, boxes).text).toBe('2 cats.');
    expect(detectionAnswer({ task: 'identify', object: 'dog' }, boxes).text).toMatch(/^Yes/);
    expect(detectionAnswer({ task: 'identify', object: 'horse' }, boxes).text).toBe('No. It found: cat, dog, person, wine glass, bus.');
  });

  it('reads plurals back to the singular a detector labels with', () => {
    expect(['boxes', 'berries', 'glasses', 'children', 'bus', 'cars'].map(singular)).toEqual(['box', 'berry', 'glass', 'child', 'bus', 'car']);
  });
});

describe('task prompts', () => {
  it('asks SmolVLM in words and says which tasks Florence-2 cannot do', () => {
    expect(taskQuestion({ task: 'count', object: 'apples' })).toBe('How many apples are there in the image? Answer with a number.');
    expect(taskQuestion({ task: 'identify', object: 'owl' })).toBe('Is there an owl in the image? Answer yes or no.');
    expect(unsupportedReason('florence2', 'vqa')).toMatch(/does not answer free questions/);
    expect(unsupportedReason('florence2', 'count')).toBeNull();
    expect(unsupportedReason('smolvlm', 'vqa')).toBeNull();
  });
});

describe('answer length', () => {
  it('lets Florence-2 finish its box list whatever the user set, so Count does not undercount a busy photo', () => {
    expect(answerLimit('florence2', 'count', 64)).toBe(1024);
    expect(answerLimit('florence2', 'identify', 64)).toBe(1024);
    // A caption is text the user reads: their limit holds.
    expect(answerLimit('florence2', 'caption', 64)).toBe(64);
    expect(answerLimit('smolvlm', 'count', 64)).toBe(64);
    expect(answerLimit('smolvlm', 'vqa')).toBe(1024);
    // Each model's own repetition penalty: SmolVLM's demo, LFM2.5-VL's card; Florence-2's examples set none.
    expect([repetitionPenalty('smolvlm'), repetitionPenalty('lfm2_vl'), repetitionPenalty('florence2')]).toEqual([1.1, 1.05, undefined]);
  });
});
