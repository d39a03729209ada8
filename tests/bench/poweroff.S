/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest arm64 Linux Image a VMM will boot: the header booting.rst
 * describes, then a PSCI SYSTEM_OFF call at the first instruction. Run
 * under a VMM, the whole process's time and memory are its own start-up
 * and tear-down, with no guest work mixed in.
 */
	.text
	.globl	_start
_start:
	b	entry			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	image_end - _start	/* image_size */
	.quad	0xa			/* flags: little-endian, 4K pages, anywhere */
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* reserved */
entry:
	movz	w0, #0x0008
	movk	w0, #0x8400, lsl #16	/* PSCI_0_2_FN_SYSTEM_OFF */
	hvc	#0
1:	wfi
	b	1b
	.balign	4096
image_end:
