// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk requests taken apart: the layouts a driver may use, and the
 * ones a hostile driver writes.
 */
#include "tests/check.h"

#include <stdint.h>
#include <string.h>
#include <linux/virtio_blk.h>

#include "devices/virtio/blk-req.h"

static const struct blk_disk disk = { .sectors = 1000 };
static const struct blk_disk ro_disk = { .sectors = 1000, .read_only = true };
static const struct blk_disk trim_disk = { .sectors = 1000, .discard = true };

static uint8_t hdr[16], data[8192], status[1], seg[16];
static struct virtq_chain chain;
static struct blk_req req;

static void set_hdr(uint32_t type, uint64_t sector)
{
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
}

/* A chain of @n iovecs, the first @nr_out device-readable. */
static void set_chain(unsigned int nr_out, unsigned int n, const struct iovec *iov)
{
	unsigned int i;

	memset(&chain, 0, sizeof(chain));
	chain.nr_out = nr_out;
	chain.nr_in = n - nr_out;
	for (i = 0; i < n; i++) {
		chain.iov[i] = iov[i];
		if (i < nr_out)
			chain.out_len += iov[i].iov_len;
		else
			chain.in_len += iov[i].iov_len;
	}
}

#define IOV(p, n) ((struct iovec) { (void *)(p), (n) })

static uint8_t read_req(uint64_t sector, size_t len, const struct blk_disk *d)
{
	struct iovec v[] = { IOV(hdr, 16), IOV(data, len), IOV(status, 1) };

	set_hdr(VIRTIO_BLK_T_IN, sector);
	set_chain(1, 3, v);
	return blk_req_parse(&chain, d, &req);
}

static uint8_t write_req(uint64_t sector, size_t len, const struct blk_disk *d)
{
	struct iovec v[] = { IOV(hdr, 16), IOV(data, len), IOV(status, 1) };

	set_hdr(VIRTIO_BLK_T_OUT, sector);
	set_chain(2, 3, v);
	return blk_req_parse(&chain, d, &req);
}

START_TEST(test_read)
{
	ck_assert_uint_eq(read_req(10, 4096, &disk), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.type, VIRTIO_BLK_T_IN);
	ck_assert_uint_eq(req.offset, 10 * 512);
	ck_assert_uint_eq(req.len, 4096);
	ck_assert_uint_eq(req.nr_iov, 1);
	ck_assert_ptr_eq(req.iov[0].iov_base, data);
	ck_assert_ptr_eq(req.status, status);
	/* Read-only disks read. */
	ck_assert_uint_eq(read_req(10, 512, &ro_disk), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(test_read_data_and_status_in_one_buffer)
{
	struct iovec v[] = { IOV(hdr, 8), IOV(hdr + 8, 8), IOV(data, 1025) };

	set_hdr(VIRTIO_BLK_T_IN, 0);
	set_chain(2, 3, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.len, 1024);
	ck_assert_ptr_eq(req.status, data + 1024);
}
END_TEST

START_TEST(test_write)
{
	struct iovec v[] = { IOV(data, 16 + 1024), IOV(status, 1) };

	ck_assert_uint_eq(write_req(999, 512, &disk), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.offset, 999 * 512);
	/* Header and data in one buffer. */
	set_hdr(VIRTIO_BLK_T_OUT, 2);
	memcpy(data, hdr, 16);
	set_chain(1, 2, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.nr_iov, 1);
	ck_assert_ptr_eq(req.iov[0].iov_base, data + 16);
	ck_assert_uint_eq(req.len, 1024);
	ck_assert_uint_eq(req.offset, 1024);
}
END_TEST

/* A data segment up to size_max is taken, one a sector larger is refused. */
START_TEST(test_segment_larger_than_size_max)
{
	static const struct blk_disk big = { .sectors = 1 << 13 };	/* 4 MiB */
	struct iovec v[] = { IOV(hdr, 16), IOV(data, BLK_SIZE_MAX), IOV(status, 1) };

	set_hdr(VIRTIO_BLK_T_IN, 0);
	set_chain(1, 3, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &big, &req), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.len, BLK_SIZE_MAX);
	v[1].iov_len = BLK_SIZE_MAX + BLK_SECTOR_SIZE;
	set_chain(1, 3, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &big, &req), VIRTIO_BLK_S_IOERR);
	ck_assert_ptr_eq(req.status, status);
}
END_TEST

START_TEST(test_out_of_range_and_odd_sizes)
{
	ck_assert_uint_eq(read_req(1000, 512, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(read_req(999, 1024, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(read_req(UINT64_MAX, 512, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(read_req(UINT64_MAX / 512 + 1, 512, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(write_req(1000, 512, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(read_req(0, 100, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(write_req(0, 513, &disk), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(read_req(0, 0, &disk), VIRTIO_BLK_S_IOERR);
	/* The status byte is still found, to say so. */
	ck_assert_ptr_eq(req.status, status);
}
END_TEST

START_TEST(test_write_to_read_only)
{
	ck_assert_uint_eq(write_req(0, 512, &ro_disk), VIRTIO_BLK_S_IOERR);
	ck_assert_ptr_eq(req.status, status);
}
END_TEST

START_TEST(test_misplaced_header_and_status)
{
	struct iovec short_hdr[] = { IOV(hdr, 8), IOV(data, 512), IOV(status, 1) };
	struct iovec hdr_writable[] = { IOV(hdr, 16), IOV(data, 512), IOV(status, 1) };
	struct iovec no_status[] = { IOV(hdr, 16), IOV(data, 512) };
	struct iovec empty_status[] = { IOV(hdr, 16), IOV(status, 0) };

	set_hdr(VIRTIO_BLK_T_IN, 0);
	set_chain(1, 3, short_hdr);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
	ck_assert_ptr_eq(req.status, status);
	/* The header where the device would write. */
	set_chain(0, 3, hdr_writable);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
	/* Nothing writable: no status to answer with. */
	set_chain(2, 2, no_status);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
	ck_assert_ptr_null(req.status);
	set_chain(1, 2, empty_status);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
	ck_assert_ptr_null(req.status);
	/* A read whose header is followed by more readable bytes. */
	ck_assert_uint_eq(write_req(0, 512, &disk), VIRTIO_BLK_S_OK);
	set_hdr(VIRTIO_BLK_T_IN, 0);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
}
END_TEST

START_TEST(test_write_with_more_writable)
{
	struct iovec v[] = { IOV(hdr, 16), IOV(data, 512), IOV(data + 512, 8), IOV(status, 1) };

	set_hdr(VIRTIO_BLK_T_OUT, 0);
	set_chain(2, 4, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
}
END_TEST

START_TEST(test_too_many_segments)
{
	static struct iovec v[VIRTQ_MAX_SIZE];
	unsigned int i;

	/* A whole chain: the header, then data, the status in the last buffer. */
	v[0] = IOV(hdr, 16);
	for (i = 1; i < VIRTQ_MAX_SIZE - 1; i++)
		v[i] = IOV(data + 512 * (i % 8), 512);
	v[VIRTQ_MAX_SIZE - 1] = IOV(data, 513);
	set_hdr(VIRTIO_BLK_T_IN, 0);
	set_chain(1, VIRTQ_MAX_SIZE, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);
	v[VIRTQ_MAX_SIZE - 1] = IOV(status, 1);
	set_chain(1, VIRTQ_MAX_SIZE, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.nr_iov, BLK_SEG_MAX);
}
END_TEST

START_TEST(test_flush_and_get_id)
{
	struct iovec flush[] = { IOV(hdr, 16), IOV(status, 1) };
	struct iovec flush_data[] = { IOV(hdr, 16), IOV(data, 512), IOV(status, 1) };
	struct iovec id[] = { IOV(hdr, 16), IOV(data, 20), IOV(status, 1) };
	struct iovec short_id[] = { IOV(hdr, 16), IOV(data, 8), IOV(status, 1) };

	set_hdr(VIRTIO_BLK_T_FLUSH, 0);
	set_chain(1, 2, flush);
	ck_assert_uint_eq(blk_req_parse(&chain, &ro_disk, &req), VIRTIO_BLK_S_OK);
	set_chain(2, 3, flush_data);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_IOERR);

	set_hdr(VIRTIO_BLK_T_GET_ID, 0);
	set_chain(1, 3, id);
	memset(data, 0xff, 32);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_req_fill_id(&req, "lkvm-disk0"), 20);
	ck_assert_str_eq((char *)data, "lkvm-disk0");
	ck_assert_uint_eq(data[19], 0);
	ck_assert_uint_eq(data[20], 0xff);
	/* A full 20-byte serial is not terminated; a short buffer takes part. */
	ck_assert_uint_eq(blk_req_fill_id(&req, "abcdefghij0123456789"), 20);
	ck_assert_int_eq(memcmp(data, "abcdefghij0123456789", 20), 0);
	set_chain(1, 3, short_id);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_req_fill_id(&req, "abcdefghij0123456789"), 8);
}
END_TEST

static uint8_t discard_req(uint32_t type, uint64_t sector, uint32_t n, uint32_t flags,
			   const struct blk_disk *d)
{
	struct iovec v[] = { IOV(hdr, 16), IOV(seg, 10), IOV(seg + 10, 6), IOV(status, 1) };

	set_hdr(type, 0);
	memcpy(seg, &sector, 8);
	memcpy(seg + 8, &n, 4);
	memcpy(seg + 12, &flags, 4);
	set_chain(3, 4, v);
	return blk_req_parse(&chain, d, &req);
}

START_TEST(test_discard_and_write_zeroes)
{
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_DISCARD, 8, 16, 0, &disk),
			  VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_DISCARD, 8, 16, 0, &trim_disk),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(req.offset, 8 * 512);
	ck_assert_uint_eq(req.len, 16 * 512);
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_WRITE_ZEROES, 990, 10,
				      VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, &trim_disk),
			  VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_WRITE_ZEROES, 990, 11, 0, &trim_disk),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_DISCARD, 0, 1,
				      VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, &trim_disk),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_DISCARD, 0, 0, 0, &trim_disk),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_DISCARD, 0, 1, 4, &trim_disk),
			  VIRTIO_BLK_S_IOERR);
	struct blk_disk ro_trim = trim_disk;
	ro_trim.read_only = true;
	ck_assert_uint_eq(discard_req(VIRTIO_BLK_T_DISCARD, 0, 1, 0, &ro_trim),
			  VIRTIO_BLK_S_IOERR);
}
END_TEST

START_TEST(test_unknown_type)
{
	struct iovec v[] = { IOV(hdr, 16), IOV(status, 1) };

	set_hdr(VIRTIO_BLK_T_SCSI_CMD, 0);
	set_chain(1, 2, v);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_UNSUPP);
	set_hdr(0xdeadbeef, 0);
	ck_assert_uint_eq(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_UNSUPP);
}
END_TEST

Suite *blk_req_suite(void)
{
	Suite *s = suite_create("blk-req");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_read_data_and_status_in_one_buffer);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_segment_larger_than_size_max);
	tcase_add_test(tc, test_out_of_range_and_odd_sizes);
	tcase_add_test(tc, test_write_to_read_only);
	tcase_add_test(tc, test_misplaced_header_and_status);
	tcase_add_test(tc, test_write_with_more_writable);
	tcase_add_test(tc, test_too_many_segments);
	tcase_add_test(tc, test_flush_and_get_id);
	tcase_add_test(tc, test_discard_and_write_zeroes);
	tcase_add_test(tc, test_unknown_type);
	suite_add_tcase(s, tc);
	return s;
}
