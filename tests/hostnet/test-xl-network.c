/*
 * test-xl-network.c - the vif spec as `xl network-attach` passes it to
 * light_nic_parse, and `xl network-list`'s columns against upstream's
 * printf formats (xl_nic.c), byte for byte.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liblight.h"
#include "cmds.h"

static void test_parse(void **state)
{
	struct light_nic n;
	char err[256];

	(void)state;
	assert_int_equal(light_nic_parse("mac=00:16:3E:01:02:0a,bridge=br1,"
	    "ip=198.51.100.5 198.51.100.6,script=vif-route,vifname=web0,"
	    "rate=8Mb/s,mtu=9000,gatewaydev=eth1", &n, err, sizeof(err)), 0);
	assert_true(n.has_mac);
	assert_int_equal(n.mac[2], 0x3e);
	assert_int_equal(n.mac[5], 0x0a);
	assert_string_equal(n.bridge, "br1");
	assert_string_equal(n.ip, "198.51.100.5 198.51.100.6");
	assert_string_equal(n.script, "vif-route");
	assert_string_equal(n.vifname, "web0");
	assert_string_equal(n.gatewaydev, "eth1");
	assert_int_equal(n.mtu, 9000);
	/* 8 Mbit/s = 1 MB/s; per default 50 ms interval: 50000 bytes. */
	assert_int_equal(n.rate_interval_usecs, 50000);
	assert_int_equal(n.rate_bytes_per_interval, 50000);
	light_nic_dispose(&n);

	assert_int_equal(light_nic_parse("", &n, err, sizeof(err)), 0);
	assert_false(n.has_mac);
	assert_null(n.bridge);
	light_nic_dispose(&n);

	assert_int_equal(light_nic_parse("bridge", &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected key=value"));
	assert_int_equal(light_nic_parse("mac=00:16:3e:zz:00:00", &n, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid mac"));
	assert_int_equal(light_nic_parse("mtu=70000", &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid mtu"));
}

static char *list_output(const struct light_nic_info *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (n)
		xl_network_list_line(f, n);
	else
		xl_network_list_header(f);
	fclose(f);
	return buf;
}

static void test_list_format(void **state)
{
	struct light_nic_info n = {
		.devid = 1, .backend_id = 0,
		.mac = { 0x00, 0x16, 0x3e, 0x5a, 0x0b, 0xff },
		.state = 4, .evtchn = 19, .rref_tx = 1280, .rref_rx = 1281,
		.backend = "/local/domain/0/backend/vif/7/1",
	};
	char *out;

	(void)state;
	out = list_output(NULL);
	assert_string_equal(out, "Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n");
	free(out);
	out = list_output(&n);
	assert_string_equal(out, "1   0  00:16:3e:5a:0b:ff     1     4     19  1280/1281        /local/domain/0/backend/vif/7/1\n");
	free(out);
	/* A vif whose frontend has not connected: libxl's -1s. */
	n.state = 1;
	n.evtchn = n.rref_tx = n.rref_rx = -1;
	out = list_output(&n);
	assert_string_equal(out, "1   0  00:16:3e:5a:0b:ff     1     1     -1    -1/-1          /local/domain/0/backend/vif/7/1\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_list_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
