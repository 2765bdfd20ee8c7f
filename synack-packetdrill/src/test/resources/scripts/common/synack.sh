# synack's own scripts: Linux 6.18 defaults (SCENARIOS.md), CUBIC, timestamps on.
sysctl -q net.ipv4.tcp_syn_retries=6 net.ipv4.tcp_syn_linear_timeouts=4
sysctl -q net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1
sysctl -q net.ipv4.tcp_rmem="4096 131072 33554432"
sysctl -q net.ipv4.tcp_congestion_control=cubic
