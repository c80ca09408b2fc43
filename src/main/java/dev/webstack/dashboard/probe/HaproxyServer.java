package dev.webstack.dashboard.probe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of HAProxy's stats CSV: a frontend, a backend, or a server in a backend.
 *
 * @param proxy the frontend or backend name ({@code pxname})
 * @param name {@code FRONTEND}, {@code BACKEND} or the server's name ({@code svname})
 * @param status UP, DOWN, MAINT, DRAIN, NOLB, OPEN, no check...
 * @param checkStatus the last health check's result ({@code check_status}, e.g. L7OK, L4CON)
 * @param lastChangeSeconds seconds since the status last changed ({@code lastchg})
 * @param currentSessions sessions now ({@code scur})
 * @param totalSessions sessions so far ({@code stot})
 * @param http5xx responses with a 5xx status ({@code hrsp_5xx})
 * @param retries retried connections ({@code wretr})
 * @param redispatches requests sent to another server ({@code wredis})
 */
public record HaproxyServer(String proxy, String name, String status, String checkStatus, long lastChangeSeconds,
		long currentSessions, long totalSessions, long http5xx, long retries, long redispatches) {

	public boolean isServer() {
		return !"FRONTEND".equals(this.name) && !"BACKEND".equals(this.name);
	}

	/** Parses the CSV by its header names, so that columns added by later versions do not matter. */
	public static List<HaproxyServer> parseCsv(String csv) {
		String[] lines = csv.split("\\r?\\n");
		if (lines.length == 0 || !lines[0].startsWith("# ")) {
			throw new IllegalArgumentException("not HAProxy stats CSV (no '# ' header line)");
		}
		String[] header = lines[0].substring(2).split(",", -1);
		Map<String, Integer> column = new HashMap<>();
		for (int i = 0; i < header.length; i++) {
			column.put(header[i].strip(), i);
		}
		List<HaproxyServer> rows = new ArrayList<>();
		for (int i = 1; i < lines.length; i++) {
			if (lines[i].isBlank()) {
				continue;
			}
			String[] f = lines[i].split(",", -1);
			rows.add(new HaproxyServer(text(f, column, "pxname"), text(f, column, "svname"), text(f, column, "status"),
					text(f, column, "check_status"), number(f, column, "lastchg"), number(f, column, "scur"),
					number(f, column, "stot"), number(f, column, "hrsp_5xx"), number(f, column, "wretr"),
					number(f, column, "wredis")));
		}
		return rows;
	}

	private static String text(String[] fields, Map<String, Integer> column, String name) {
		Integer i = column.get(name);
		return (i != null && i < fields.length) ? fields[i] : "";
	}

	private static long number(String[] fields, Map<String, Integer> column, String name) {
		String value = text(fields, column, name);
		return value.isEmpty() ? 0 : Long.parseLong(value);
	}

}
