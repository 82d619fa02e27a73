/**
 * Perfect-subtree arithmetic for the stored tree. A node (level L, idx i) is the root
 * of the complete subtree over leaves [i·2^L, (i+1)·2^L); level 0 nodes are leaves.
 * Sizes stay below 2^53, so plain numbers are exact.
 */
import { emptyRoot, nodeHash } from '@cairn/core';

export interface NodeId {
  readonly level: number;
  readonly idx: number;
}

export interface FrontierNode extends NodeId {
  readonly hash: Uint8Array;
}

export function nodeKey(level: number, idx: number): string {
  return `${level}:${idx}`;
}

/**
 * The perfect aligned subtrees that make up leaves [start, end), left to right. Valid
 * for the ranges RFC 6962 proofs use ([0, size) and those of inclusionProofRanges /
 * consistencyProofRanges), whose start is aligned to a power of two ≥ end - start.
 */
export function decomposeRange(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let s = start;
  while (s < end) {
    let level = 0;
    while (s % 2 ** (level + 1) === 0 && s + 2 ** (level + 1) <= end) level++;
    out.push({ level, idx: s / 2 ** level });
    s += 2 ** level;
  }
  return out;
}

/** MTH of a range from the hashes of its decomposition (folded right to left). */
export function foldRange(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return emptyRoot();
  let h = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

export interface AppendResult {
  readonly frontier: FrontierNode[];
  /** Newly completed nodes of level ≥ 1. */
  readonly nodes: FrontierNode[];
}

/**
 * Append leaf hashes to a tree of `size` whose frontier (decomposeRange(0, size)
 * with hashes) is given; returns the new frontier and every node completed.
 */
export function appendToFrontier(
  frontier: readonly FrontierNode[],
  size: number,
  leafHashes: readonly Uint8Array[],
): AppendResult {
  const stack = [...frontier];
  const nodes: FrontierNode[] = [];
  let n = size;
  for (const leaf of leafHashes) {
    stack.push({ level: 0, idx: n, hash: leaf });
    n++;
    for (;;) {
      const right = stack[stack.length - 1]!;
      const left = stack[stack.length - 2];
      if (left?.level !== right.level) break;
      stack.length -= 2;
      const level = right.level + 1;
      const node = { level, idx: n / 2 ** level - 1, hash: nodeHash(left.hash, right.hash) };
      stack.push(node);
      nodes.push(node);
    }
  }
  return { frontier: stack, nodes };
}
