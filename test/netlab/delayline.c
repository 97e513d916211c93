/*
 * A delay line for the network lab: this kernel has no netem, so a host's access link gets its
 * one-way delay, jitter and loss here, in user space. The lab routes every packet crossing the link
 * into a TUN device; this program reads each one, drops it with the configured probability, holds
 * it until its release time, and writes it back into the same device, from where the kernel routes
 * it on. Packets for the host's own subnet travel "down", all others "up"; each direction has its
 * own settings and its own first-in first-out queue, so jitter delays packets without reordering
 * them (as on one physical link). Loss is drawn from a seeded generator: the same run drops the same
 * packets. Rates are not shaped here: the kernel's tbf does that on the lab's veths.
 *
 * usage: delayline TUN SUBNET/PREFIX UP_DELAY_US UP_JITTER_US UP_LOSS_PPM DOWN_DELAY_US DOWN_JITTER_US DOWN_LOSS_PPM SEED
 * Prints "ready" once attached; on SIGTERM prints per-direction counts and exits.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PACKET 65536
/* Packets held per direction at most: a full queue drops the newest, as a router's buffer would. */
#define QUEUE_SLOTS 32768

struct packet {
  uint64_t release_us;
  uint16_t len;
  unsigned char *data;
};

struct direction {
  uint64_t delay_us, jitter_us, loss_ppm;
  struct packet slots[QUEUE_SLOTS];
  size_t head, count;
  uint64_t last_release_us;
  unsigned long passed, lost, overflowed;
};

static volatile sig_atomic_t stopping = 0;
static uint64_t rng_state;

static void on_term(int sig) {
  (void)sig;
  stopping = 1;
}

/* xorshift64*: small, seeded, good enough to pick which packets are lost. */
static uint64_t next_random(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

static void enqueue(struct direction *d, const unsigned char *buf, size_t len) {
  if (d->loss_ppm > 0 && next_random() % 1000000ULL < d->loss_ppm) {
    d->lost++;
    return;
  }
  if (d->count == QUEUE_SLOTS) {
    d->overflowed++;
    return;
  }
  uint64_t release = now_us() + d->delay_us + (d->jitter_us > 0 ? next_random() % (d->jitter_us + 1) : 0);
  if (release < d->last_release_us) release = d->last_release_us; /* no reordering */
  d->last_release_us = release;
  struct packet *p = &d->slots[(d->head + d->count) % QUEUE_SLOTS];
  p->data = malloc(len);
  if (!p->data) {
    d->overflowed++;
    return;
  }
  memcpy(p->data, buf, len);
  p->len = (uint16_t)len;
  p->release_us = release;
  d->count++;
}

/* Writes every packet whose time has come; returns when the next one is due (0: none queued). */
static uint64_t release_due(int fd, struct direction *d) {
  uint64_t t = now_us();
  while (d->count > 0) {
    struct packet *p = &d->slots[d->head];
    if (p->release_us > t) return p->release_us;
    if (write(fd, p->data, p->len) >= 0) d->passed++;
    free(p->data);
    d->head = (d->head + 1) % QUEUE_SLOTS;
    d->count--;
  }
  return 0;
}

static int open_tun(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
  if (fd < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static struct direction up, down;

int main(int argc, char **argv) {
  if (argc != 10) {
    fprintf(stderr, "usage: %s TUN SUBNET/PREFIX UP_DELAY_US UP_JITTER_US UP_LOSS_PPM DOWN_DELAY_US DOWN_JITTER_US DOWN_LOSS_PPM SEED\n", argv[0]);
    return 2;
  }
  char subnet_text[64];
  strncpy(subnet_text, argv[2], sizeof subnet_text - 1);
  subnet_text[sizeof subnet_text - 1] = 0;
  char *slash = strchr(subnet_text, '/');
  if (!slash) return 2;
  *slash = 0;
  int prefix = atoi(slash + 1);
  struct in_addr subnet_addr;
  if (inet_pton(AF_INET, subnet_text, &subnet_addr) != 1 || prefix < 0 || prefix > 32) return 2;
  uint32_t mask = prefix == 0 ? 0 : htonl(~0U << (32 - prefix));
  uint32_t subnet = subnet_addr.s_addr & mask;

  up.delay_us = strtoull(argv[3], 0, 10);
  up.jitter_us = strtoull(argv[4], 0, 10);
  up.loss_ppm = strtoull(argv[5], 0, 10);
  down.delay_us = strtoull(argv[6], 0, 10);
  down.jitter_us = strtoull(argv[7], 0, 10);
  down.loss_ppm = strtoull(argv[8], 0, 10);
  rng_state = strtoull(argv[9], 0, 10) | 1;

  int fd = open_tun(argv[1]);
  if (fd < 0) {
    fprintf(stderr, "cannot attach to TUN device %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  printf("ready\n");
  fflush(stdout);

  static unsigned char buf[MAX_PACKET];
  while (!stopping) {
    uint64_t next_up = release_due(fd, &up);
    uint64_t next_down = release_due(fd, &down);
    uint64_t next = next_up == 0 ? next_down : (next_down == 0 || next_up < next_down ? next_up : next_down);
    struct timespec timeout = {1, 0};
    if (next != 0) {
      uint64_t t = now_us();
      uint64_t wait = next > t ? next - t : 0;
      timeout.tv_sec = (time_t)(wait / 1000000ULL);
      timeout.tv_nsec = (long)((wait % 1000000ULL) * 1000ULL);
    }
    struct pollfd pfd = {fd, POLLIN, 0};
    int ready = ppoll(&pfd, 1, &timeout, 0);
    if (ready <= 0) continue;
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      if (n < 20 || (buf[0] >> 4) != 4) continue; /* IPv4 only */
      uint32_t dst;
      memcpy(&dst, buf + 16, 4);
      enqueue((dst & mask) == subnet ? &down : &up, buf, (size_t)n);
    }
  }
  printf("{\"up\":{\"passed\":%lu,\"lost\":%lu,\"overflowed\":%lu},\"down\":{\"passed\":%lu,\"lost\":%lu,\"overflowed\":%lu}}\n", up.passed, up.lost, up.overflowed, down.passed, down.lost, down.overflowed);
  fflush(stdout);
  return 0;
}
