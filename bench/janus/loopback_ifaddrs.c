/* Compiled at run time by bench/relay_janus.py and preloaded into Janus only.
 *
 * Janus builds its ICE host addresses from getifaddrs() but skips every interface flagged
 * IFF_LOOPBACK (src/ice.c, janus_ice_setup_local), and when nothing is left libnice gathers on
 * every other interface itself. Clearing the flag lets `ice_enforce_list = "127.0.0.1"` keep
 * Janus's media on 127.0.0.1 and nowhere else. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>

int getifaddrs(struct ifaddrs **ifap) {
	static int (*real_getifaddrs)(struct ifaddrs **) = NULL;
	if (real_getifaddrs == NULL)
		real_getifaddrs = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
	if (real_getifaddrs == NULL)
		return -1;
	int rc = real_getifaddrs(ifap);
	if (rc == 0) {
		for (struct ifaddrs *ifa = *ifap; ifa != NULL; ifa = ifa->ifa_next)
			ifa->ifa_flags &= ~IFF_LOOPBACK;
	}
	return rc;
}
