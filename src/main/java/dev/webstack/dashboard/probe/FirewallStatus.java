package dev.webstack.dashboard.probe;

/**
 * Whether this host has packet filter rules loaded.
 *
 * @param known whether the question could be answered at all (nft present and permitted)
 * @param tables nftables tables loaded
 * @param evidence what was seen
 */
public record FirewallStatus(boolean known, int tables, String evidence) {
}
