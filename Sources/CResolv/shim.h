// glibc's stub resolver (libresolv, part of libc6-dev): DNS queries for the
// SRV, NAPTR, A and AAAA records RFC 3263 locates a SIP server with, and the
// message parser that reads their answers. The nameser.h accessors are
// macros, which Swift cannot call: they are wrapped here as functions.
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>

/// A resolver state of its own, initialised from /etc/resolv.conf; NULL on failure.
static inline res_state hushbox_res_open(void) {
    res_state res = calloc(1, sizeof(struct __res_state));
    if (res == NULL) return NULL;
    if (res_ninit(res) != 0) { free(res); return NULL; }
    return res;
}

static inline void hushbox_res_close(res_state res) {
    res_nclose(res);
    free(res);
}

/// res_nquery for class IN; the answer's length, or -1 (then see hushbox_res_h_errno).
static inline int hushbox_res_query(res_state res, const char *name, int type, unsigned char *answer, int length) {
    return res_nquery(res, name, ns_c_in, type, answer, length);
}

/// dn_expand: a possibly compressed name at `source` in the message; bytes used, or -1.
static inline int hushbox_dn_expand(const unsigned char *message, const unsigned char *end, const unsigned char *source, char *name, int length) {
    return dn_expand(message, end, source, name, length);
}

/// Makes `res` ask only the IPv4 name server at `address`:`port`, with
/// `timeout` seconds per try and `attempts` tries. Returns 0, or -1 when the
/// address is not an IPv4 literal.
static inline int hushbox_res_use_server(res_state res, const char *address, unsigned short port, int timeout, int attempts) {
    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    if (inet_pton(AF_INET, address, &server.sin_addr) != 1) return -1;
    res->nsaddr_list[0] = server;
    res->nscount = 1;
    res->retrans = timeout;
    res->retry = attempts;
    return 0;
}

/// Sets the time per try and the tries for the system's name servers.
static inline void hushbox_res_set_patience(res_state res, int timeout, int attempts) {
    res->retrans = timeout;
    res->retry = attempts;
}

/// The resolver's error for the last query (HOST_NOT_FOUND, NO_DATA, TRY_AGAIN, NO_RECOVERY).
static inline int hushbox_res_h_errno(res_state res) { return res->res_h_errno; }

static inline int hushbox_ns_answer_count(const ns_msg *message) { return ns_msg_count(*message, ns_s_an); }
static inline const unsigned char *hushbox_ns_base(const ns_msg *message) { return ns_msg_base(*message); }
static inline const unsigned char *hushbox_ns_end(const ns_msg *message) { return ns_msg_end(*message); }
static inline int hushbox_ns_rcode(const ns_msg *message) { return ns_msg_getflag(*message, ns_f_rcode); }
static inline unsigned int hushbox_rr_type(const ns_rr *record) { return ns_rr_type(*record); }
static inline unsigned int hushbox_rr_class(const ns_rr *record) { return ns_rr_class(*record); }
static inline unsigned long hushbox_rr_ttl(const ns_rr *record) { return ns_rr_ttl(*record); }
static inline unsigned int hushbox_rr_rdlen(const ns_rr *record) { return ns_rr_rdlen(*record); }
static inline const unsigned char *hushbox_rr_rdata(const ns_rr *record) { return ns_rr_rdata(*record); }
