// Self-test cases for the convolution building blocks of the paper-scale families (filled by conv.ts).
import type { SelftestCase } from '../selftest.ts';

export const extraSelftests: SelftestCase[] = [];
