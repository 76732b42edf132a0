#!/usr/bin/perl
# rawsnmp.pl - send one SNMPv2c request built by hand, print the answer.
#
# For requests the net-snmp clients refuse to send or silently change:
# sub-identifiers above 2^32-1 (snmpget truncates them to 32 bits), OIDs
# longer than 128 sub-identifiers, GETBULK with non-repeaters larger than
# the number of variables or negative, SET with a Counter64 value.
#
#   rawsnmp.pl [-t SECONDS] HOST:PORT COMMUNITY PDU OID[=TYPE:VALUE]...
#   rawsnmp.pl [-t SECONDS] HOST:PORT --hex HEXBYTES     (a whole message)
#
# PDU: get, getnext, set, getbulk:NONREP:MAXREP (either may be negative).
# OID: dotted decimal; each sub-identifier any size (encoded base 128 from
# its decimal digits, so 18446744073709551616 works).
# TYPE for set: i INTEGER, u Gauge32, c Counter32, C Counter64, t TimeTicks,
# s OCTET STRING, x hex OCTET STRING, o OBJECT IDENTIFIER, n NULL.
#
# Prints "status=N index=N" and one line per variable, "OID = TYPE: VALUE"
# (TYPE as net-snmp names it; strings as hex bytes), or "TIMEOUT" (exit 2)
# when nothing came back.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my $timeout = 2;
if (@ARGV && $ARGV[0] eq '-t') { shift; $timeout = shift; }
die "usage: $0 [-t S] HOST:PORT COMMUNITY PDU OID...\n" if @ARGV < 2;
my $peer = shift;

# ---- BER encoding ----

sub len_octets {
    my $n = shift;
    return chr($n) if $n < 128;
    my $s = '';
    while ($n) { $s = chr($n & 0xff) . $s; $n >>= 8; }
    return chr(0x80 | length $s) . $s;
}
sub tlv { my ($tag, $v) = @_; return chr($tag) . len_octets(length $v) . $v; }

sub int_octets {    # two's complement, minimal
    my @b = unpack 'C*', pack 'q>', shift;
    shift @b while @b > 1 && (($b[0] == 0 && !($b[1] & 0x80)) ||
                              ($b[0] == 0xff && ($b[1] & 0x80)));
    return pack 'C*', @b;
}
sub uint_octets {   # unsigned (Gauge32, Counter64...), from a decimal string
    my @b = divmod_digits(shift, 256);
    @b = (0) unless @b;
    unshift @b, 0 if $b[0] & 0x80;
    return join '', map { chr } @b;
}

# A decimal string in base B: the digits, most significant first.
sub divmod_digits {
    my ($dec, $base) = @_;
    $dec =~ s/^0+(?=.)//;
    my @out;
    while ($dec ne '0') {
        my ($q, $r) = ('', 0);
        for my $d (split //, $dec) {
            $r = $r * 10 + $d;
            $q .= int($r / $base);
            $r %= $base;
        }
        $q =~ s/^0+(?=.)//;
        unshift @out, $r;
        $dec = $q;
    }
    return @out;
}

sub subid_octets {
    my @d = divmod_digits(shift, 128);
    @d = (0) unless @d;
    $d[$_] |= 0x80 for 0 .. $#d - 1;
    return join '', map { chr } @d;
}

sub oid_octets {
    my @s = grep { length } split /\./, shift;
    die "an OID needs two sub-identifiers\n" if @s < 2;
    my $first = shift(@s) * 40 + shift(@s);
    return join '', subid_octets($first), map { subid_octets($_) } @s;
}

sub value_tlv {
    my ($type, $v) = @_;
    return tlv(0x05, '') if !defined $type || $type eq 'n';
    return tlv(0x02, int_octets($v)) if $type eq 'i';
    return tlv(0x42, uint_octets($v)) if $type eq 'u';
    return tlv(0x41, uint_octets($v)) if $type eq 'c';
    return tlv(0x43, uint_octets($v)) if $type eq 't';
    return tlv(0x46, uint_octets($v)) if $type eq 'C';
    return tlv(0x04, $v) if $type eq 's';
    return tlv(0x04, pack('H*', $v =~ s/\s//gr)) if $type eq 'x';
    return tlv(0x06, oid_octets($v)) if $type eq 'o';
    die "unknown type $type\n";
}

# ---- BER decoding ----

sub read_tlv {      # ($tag, $value, $rest)
    my $b = shift;
    die "truncated\n" if length $b < 2;
    my $tag = ord substr($b, 0, 1);
    my $l = ord substr($b, 1, 1);
    my $off = 2;
    if ($l & 0x80) {
        my $n = $l & 0x7f;
        $l = 0;
        $l = $l * 256 + ord substr($b, $off++, 1) for 1 .. $n;
    }
    die "truncated\n" if length($b) < $off + $l;
    return ($tag, substr($b, $off, $l), substr($b, $off + $l));
}

sub dec_int {
    my $v = shift;
    my $n = 0;
    $n = $n * 256 + ord($_) for split //, $v;
    $n -= 2**(8 * length $v) if length $v && ord($v) & 0x80;
    return $n;
}
sub dec_uint { my $n = 0; $n = $n * 256 + ord($_) for split //, shift; return sprintf '%.0f', $n; }
sub dec_u64 {       # exact, as a decimal string
    my $dec = '0';
    for my $byte (map { ord } split //, shift) {
        my ($carry, $out) = ($byte, '');
        for my $d (reverse split //, $dec) {
            my $x = $d * 256 + $carry;
            $out = ($x % 10) . $out;
            $carry = int($x / 10);
        }
        $out = $carry . $out if $carry;
        ($dec = $out) =~ s/^0+(?=.)//;
    }
    return $dec;
}

sub dec_oid {
    my @b = map { ord } split //, shift;
    my (@s, $cur);
    $cur = 0;
    for my $x (@b) {
        $cur = $cur * 128 + ($x & 0x7f);
        next if $x & 0x80;
        push @s, $cur;
        $cur = 0;
    }
    return '' unless @s;
    my $f = shift @s;
    my ($a, $b2) = $f < 80 ? (int($f / 40), $f % 40) : (2, $f - 80);
    return '.' . join '.', $a, $b2, @s;
}

my %type_name = (0x02 => 'INTEGER', 0x04 => 'STRING', 0x05 => 'NULL',
    0x06 => 'OID', 0x40 => 'IpAddress', 0x41 => 'Counter32', 0x42 => 'Gauge32',
    0x43 => 'Timeticks', 0x44 => 'Opaque', 0x46 => 'Counter64',
    0x80 => 'noSuchObject', 0x81 => 'noSuchInstance', 0x82 => 'endOfMibView');

sub show_value {
    my ($tag, $v) = @_;
    my $name = $type_name{$tag} // sprintf('tag0x%02x', $tag);
    return "$name: " . dec_int($v) if $tag == 0x02;
    return "$name: " . uc(join ' ', unpack('(H2)*', $v)) if $tag == 0x04;
    return "$name: " . dec_oid($v) if $tag == 0x06;
    return "$name: " . dec_u64($v) if $tag == 0x46;
    return "$name: " . dec_uint($v) if $tag >= 0x40 && $tag <= 0x43;
    return $name;
}

# ---- the request ----

my $msg;
my $reqid = 1000 + int(rand(100000));
if ($ARGV[0] eq '--hex') {
    $msg = pack 'H*', ($ARGV[1] =~ s/\s//gr);
} else {
    my ($community, $pdu, @vars) = @ARGV;
    my ($ptag, $f1, $f2) = (0xA0, 0, 0);
    if ($pdu eq 'get') { $ptag = 0xA0 }
    elsif ($pdu eq 'getnext') { $ptag = 0xA1 }
    elsif ($pdu eq 'set') { $ptag = 0xA3 }
    elsif ($pdu =~ /^getbulk:(-?\d+):(-?\d+)$/) { ($ptag, $f1, $f2) = (0xA5, $1, $2) }
    else { die "unknown PDU $pdu\n" }
    my $vbl = '';
    for my $v (@vars) {
        my ($oid, $type, $val) = $v =~ /^([\d.]+)(?:=(\w):(.*))?$/s or die "bad variable $v\n";
        $vbl .= tlv(0x30, tlv(0x06, oid_octets($oid)) . value_tlv($type, $val));
    }
    my $body = tlv(0x02, int_octets($reqid)) . tlv(0x02, int_octets($f1)) .
        tlv(0x02, int_octets($f2)) . tlv(0x30, $vbl);
    $msg = tlv(0x30, tlv(0x02, int_octets(1)) . tlv(0x04, $community) . tlv($ptag, $body));
}

my $sock = IO::Socket::INET->new(PeerAddr => $peer, Proto => 'udp')
    or die "socket: $!\n";
$sock->send($msg) or die "send: $!\n";
my $sel = IO::Select->new($sock);
unless ($sel->can_read($timeout)) { print "TIMEOUT\n"; exit 2; }
my $resp;
defined $sock->recv($resp, 65535) or die "recv: $!\n";

my (undef, $m) = read_tlv($resp);
(undef, undef, $m) = read_tlv($m);                  # version
(undef, undef, $m) = read_tlv($m);                  # community
my ($pt, $p) = read_tlv($m);
die sprintf("not a Response-PDU (tag 0x%02x)\n", $pt) unless $pt == 0xA2;
my ($t, $v);
($t, $v, $p) = read_tlv($p);
my $rid = dec_int($v);
die "request-id $rid, sent $reqid\n" if $rid != $reqid && $ARGV[0] ne '--hex';
($t, $v, $p) = read_tlv($p); my $status = dec_int($v);
($t, $v, $p) = read_tlv($p); my $index = dec_int($v);
print "status=$status index=$index\n";
(undef, my $list) = read_tlv($p);
while (length $list) {
    my ($vt, $vb);
    ($vt, $vb, $list) = read_tlv($list);
    my ($ot, $ov, $rest) = read_tlv($vb);
    my ($tag, $val) = read_tlv($rest);
    print dec_oid($ov), ' = ', show_value($tag, $val), "\n";
}
exit 0;
