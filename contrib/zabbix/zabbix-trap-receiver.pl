# zabbix-trap-receiver.pl - snmptrapd embedded-Perl handler that writes every
# trap it receives to Zabbix's SNMPTrapperFile, for the snmptrap[] items of
# contrib/zabbix/virt-agentx.yaml.
#
# snmptrapd.conf:   perl do '/path/to/zabbix-trap-receiver.pl';
# Environment:      ZABBIX_SNMPTRAPPER_FILE  the file (default: Zabbix's
#                   default SNMPTrapperFile, /tmp/zabbix_traps.tmp)
# Needs libsnmp-perl (NetSNMP::TrapReceiver).
#
# Each trap becomes one record in the format Zabbix's SNMP trapper parses:
#   HH:MM:SS YYYY/MM/DD ZBXTRAP <sender's IP address>
#   <OID> = <TYPE>: <value>          (one line per varbind)
# Zabbix gives the record to the host whose SNMP interface has that IP, and
# there to every snmptrap[regex] item whose regex matches (or else to
# snmptrap.fallback).  The time stamp matches the template's log time
# format (hh:mm:sszyyyy/MM/dd).  The address is the UDP source of the
# packet: an SNMPv2c trap has no agent-address field, so snmptrapd's %a
# would print 0.0.0.0 and no host would match.
use strict;
use warnings;
use NetSNMP::TrapReceiver;
use POSIX qw(strftime);

my $file = $ENV{ZABBIX_SNMPTRAPPER_FILE} || '/tmp/zabbix_traps.tmp';

sub zabbix_trap {
    my ($pdu, $vars) = @_;
    # receivedfrom looks like "UDP: [127.0.0.1]:41234->[127.0.0.1]:162".
    my ($ip) = ($pdu->{receivedfrom} // '') =~ /\[([0-9a-fA-F.:]+)\]/;
    # One write per record, appended: Zabbix reads the file as it grows.
    my $rec = strftime('%H:%M:%S %Y/%m/%d', localtime) . ' ZBXTRAP ' . ($ip // '0.0.0.0') . "\n";
    $rec .= "$_->[0] = $_->[1]\n" for @$vars;
    if (open(my $fh, '>>', $file)) {
        print $fh $rec;
        close $fh;
    } else {
        warn "zabbix-trap-receiver: cannot append to $file: $!\n";
    }
    return NETSNMPTRAPD_HANDLER_OK;
}

NetSNMP::TrapReceiver::register('all', \&zabbix_trap)
    or die "zabbix-trap-receiver: cannot register the handler\n";
