// The codecs, SRTP suites and directions SDP negotiates are the media's own
// vocabulary (MediaFormat, which Media uses without any SIP); whoever reads
// SDP through SIPCore gets them with it.
@_exported public import MediaFormat
