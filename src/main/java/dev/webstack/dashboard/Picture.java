package dev.webstack.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The topology picture, laid out from the components that run: a row per tier (load
 * balancers, web servers, app servers, databases), each row's boxes centred; monitoring
 * on the right. Traffic arrows join every member of a tier to every member of the next
 * (a database cluster's: each app server to the writer and to the readers), solid while
 * traffic can flow.
 *
 * @param boxes the components, each at its place, with the mark it carries (the load
 * balancer holding the site's address, the cluster's writer), or none
 * @param links the arrows
 */
public record Picture(List<Box> boxes, List<Link> links) {

	/** A component's box: its top-left corner; 120 x 44. */
	public record Box(String name, int x, int y, String mark) {
	}

	/** An arrow, with the CSS class that draws it (flow, noflow; replication, scrape). */
	public record Link(int x1, int y1, int x2, int y2, String css) {
	}

	static final int WIDTH = 120;

	static final int HEIGHT = 44;

	/** Where the rows' boxes are centred, and where monitoring stands. */
	private static final int MIDDLE = 330;

	private static final int SPAN = 300;

	static Picture of(StatusReport report) {
		List<ComponentView> components = report.components();
		Map<String, ComponentView> byName = report.byName();
		List<Box> boxes = new ArrayList<>();
		List<List<Box>> rows = new ArrayList<>();
		int y = 20;
		for (String role : List.of("load balancer", "web server", "app server", "database")) {
			List<ComponentView> members = components.stream()
				.filter((c) -> c.role().equals(role)
						|| ("database".equals(role) && (c.role().endsWith("database") || c.role().equals(Topology.CLUSTER_NODE))))
				.toList();
			List<Box> row = new ArrayList<>();
			for (int i = 0; i < members.size(); i++) {
				int centre = (members.size() == 1) ? MIDDLE : MIDDLE - SPAN / 2 + i * SPAN / (members.size() - 1);
				row.add(new Box(members.get(i).name(), centre - WIDTH / 2, y, mark(members.get(i))));
			}
			boxes.addAll(row);
			rows.add(row);
			y += ("app server".equals(role)) ? 100 : 88;
		}
		List<Link> links = new ArrayList<>();
		for (int r = 0; r + 1 < rows.size(); r++) {
			for (Box from : rows.get(r)) {
				for (Box to : rows.get(r + 1)) {
					links.add(arrow(from, to, report.flows(from.name(), to.name()) ? "flow" : "noflow"));
				}
			}
		}
		List<Box> databases = rows.get(rows.size() - 1);
		for (int i = 0; i + 1 < databases.size(); i++) {
			Box a = databases.get(i);
			Box b = databases.get(i + 1);
			boolean up = byName.get(b.name()).up() && byName.get(a.name()).up();
			links.add(new Link(a.x() + WIDTH, a.y() + HEIGHT / 2, b.x(), b.y() + HEIGHT / 2,
					"replication " + (up ? "flow" : "noflow")));
		}
		if (byName.containsKey("prometheus")) {
			boxes.add(new Box("prometheus", 590, 106, ""));
			links.add(new Link(640, 150, 540, 210, "scrape " + (byName.get("prometheus").down() ? "noflow" : "flow")));
		}
		if (byName.containsKey("alertmanager")) {
			boxes.add(new Box("alertmanager", 590, 196, ""));
			links.add(new Link(650, 150, 650, 192, "scrape " + (byName.get("alertmanager").down() ? "noflow" : "flow")));
		}
		return new Picture(boxes, links);
	}

	private static String mark(ComponentView component) {
		String detail = (component.detail() != null) ? component.detail() : "";
		if (detail.startsWith("holds the site's address")) {
			return "address";
		}
		if (detail.startsWith("the writer")) {
			return "writer";
		}
		return "";
	}

	/** From the bottom middle of one box to the top of the other, pointing at its middle. */
	private static Link arrow(Box from, Box to, String css) {
		int x1 = from.x() + WIDTH / 2;
		int x2 = to.x() + WIDTH / 2;
		// Spread the arrows leaving one box a little, so that crossing ones stay apart.
		int shift = Integer.signum(x2 - x1) * Math.min(30, Math.abs(x2 - x1) / 4);
		return new Link(x1 + shift, from.y() + HEIGHT, x2 - shift / 2, to.y() - 4, css);
	}

}
