/*
 * The class tests count: exactly HeapResidents.COUNTED_THING_COUNT (1234) instances live
 * for the whole life of the server, linked in a ring, and no other code creates any.
 * A histogram or heap dump of the server must report that number; field values are
 * fixed functions of id so heap readers can check them too.
 */
package org.carbondump.harness;

final class CountedThing {
    final int id;
    /** id * 1000003 */
    final long stamp;
    /** The following instance; the last one points back to the first. */
    CountedThing next;
    /** "counted-" + id */
    final String label;

    CountedThing(int id) {
        this.id = id;
        this.stamp = id * 1000003L;
        this.label = "counted-" + id;
    }
}
