package dev.webstack.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the single points of failure in the live topology: a tier with only one member
 * is one by design; a redundant tier becomes one when all but one of its members are
 * down; a tier with none up is an outage.
 */
final class SpofAnalysis {

	/**
	 * @param quorum whether the tier works only while a majority of its members is up (a
	 * Galera cluster): it is down to a single point of failure once it has just a
	 * majority left, and out with less
	 */
	private record Tier(String name, String role, String consequence, String remedy, boolean quorum) {

		Tier(String name, String role, String consequence, String remedy) {
			this(name, role, consequence, remedy, false);
		}

	}

	private static final List<Tier> TIERS = List.of(
			new Tier("load balancer", "load balancer",
					"If it fails, the whole site is unreachable: every request enters through it.",
					"Run a second HAProxy and share a virtual IP between them with keepalived (VRRP), "
							+ "or use DNS failover or a cloud load balancer."),
			new Tier("web server", "web server",
					"If it fails, both HAProxy backend entries go down at once and the site is unreachable, "
							+ "though both app servers are healthy.",
					"Run a second Nginx and give HAProxy one backend entry per web server and app server pair."),
			new Tier("app servers", "app server",
					"If the last app server fails, no page can be rendered.",
					"Keep at least two app servers running; `./stack up` restarts a dead one."),
			new Tier("primary database", "primary database",
					"If it fails, no write can be made: the site is read-only until it returns.",
					"Automate primary failover: promote the replica (MariaDB MaxScale, MySQL Group "
							+ "Replication or Orchestrator) and repoint writes."),
			new Tier("database cluster", "database node",
					"With fewer than a majority of its nodes up, the cluster has no quorum and refuses every "
							+ "write.",
					"Bring the missing node back (`./stack up`): it rejoins by itself and catches up by state "
							+ "transfer.",
					true));

	private SpofAnalysis() {
	}

	static List<Spof> analyse(List<ComponentView> components) {
		List<Spof> spofs = new ArrayList<>();
		for (Tier tier : TIERS) {
			List<ComponentView> members = components.stream().filter((c) -> c.role().equals(tier.role())).toList();
			if (members.isEmpty()) {
				continue;
			}
			List<String> up = members.stream().filter((c) -> !c.down()).map(ComponentView::name).toList();
			List<String> names = members.stream().map(ComponentView::name).toList();
			if (tier.quorum()) {
				quorum(tier, names, members.stream().filter(ComponentView::up).map(ComponentView::name).toList())
					.ifPresent(spofs::add);
				continue;
			}
			if (up.isEmpty()) {
				spofs.add(new Spof(tier.name(), names, "outage", "Down now. " + tier.consequence(), tier.remedy()));
			}
			else if (members.size() == 1) {
				spofs.add(new Spof(tier.name(), names, "single", tier.consequence(), tier.remedy()));
			}
			else if (up.size() == 1) {
				spofs.add(new Spof(tier.name(), up, "redundancy lost",
						"Only " + up.get(0) + " is left. " + tier.consequence(), tier.remedy()));
			}
		}
		return spofs;
	}

	/** A quorum tier counts the members that are up and in it (synced), not those merely answering. */
	private static Optional<Spof> quorum(Tier tier, List<String> names, List<String> up) {
		int majority = names.size() / 2 + 1;
		if (up.size() < majority) {
			return Optional.of(new Spof(tier.name(), names, "outage",
					"No quorum now: " + up.size() + " of " + names.size() + " nodes in it. " + tier.consequence(),
					tier.remedy()));
		}
		if (up.size() == majority) {
			return Optional.of(new Spof(tier.name(), up, "redundancy lost",
					"Only " + String.join(" and ", up) + " are left: one more failure and the cluster loses its "
							+ "quorum. " + tier.consequence(),
					tier.remedy()));
		}
		return Optional.empty();
	}

}
