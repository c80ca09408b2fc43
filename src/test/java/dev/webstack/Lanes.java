package dev.webstack;

/**
 * The two lanes the classes that run a whole stack take, two classes at a time (failsafe
 * runs them in parallel; see the pom): one class of each lane runs at once. The long
 * classes of faults under load (the primary/replica's, the hosts mode's, the ha mode's)
 * take one lane, one after the other, so that no two loads and no two fault windows
 * overlap; the shorter classes take the other. Each stack has its own instance: its own
 * ports, state folder, namespaces, addresses and containers.
 */
final class Lanes {

	/** The classes of faults under load. */
	static final String FAULTS = "dev.webstack.lane.faults";

	/** The other classes that run a stack. */
	static final String OTHERS = "dev.webstack.lane.others";

	private Lanes() {
	}

}
