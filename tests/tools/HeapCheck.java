/*
 * Opens a heap dump with VisualVM's heap library (org.graalvm.visualvm.lib.
 * jfluid.heap, a real HPROF consumer independent of carbondump) and prints
 * facts about it for the tests to compare. The dump must be uncompressed.
 *
 *   java -cp <jfluid-heap.jar>:<dir> HeapCheck DUMP COMMAND...
 *
 * opens DUMP once and runs each command in turn:
 *
 *   ring CLASS N
 *       For a class whose instances form a ring (int id 0..N-1, long stamp =
 *       id * 1000003, next = the instance with id (id + 1) % N):
 *         instances <count>
 *         ids_distinct <count of distinct ids>
 *         stamp_ok <instances with stamp == id * 1000003>
 *         next_class_ok <instances whose next is an instance of CLASS>
 *         next_id_ok <instances whose next has id (id + 1) % N>
 *         ring <steps from the first instance back to itself along next, or -1>
 *         sample id=<id> stamp=<stamp> of the instance with id 7
 *   fields CLASS
 *       Every instance of CLASS, one line each, sorted: its fields (its own and
 *       its superclasses') as name=value sorted by name, Strings by their
 *       text, other objects by their class, arrays with their elements; then
 *       the static fields of CLASS and its superclasses.
 *   layout CLASS
 *       For CLASS and each superclass, one line: "layout <class> <instance
 *       fields in the order the dump lists them>".
 *   count CLASS
 *       count <instances of CLASS>
 *   threads
 *       The name of every java.lang.Thread instance, sorted, one per line.
 *   roots
 *       The GC roots by kind: "root <kind> <count>".
 */
import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.graalvm.visualvm.lib.jfluid.heap.Field;
import org.graalvm.visualvm.lib.jfluid.heap.FieldValue;
import org.graalvm.visualvm.lib.jfluid.heap.GCRoot;
import org.graalvm.visualvm.lib.jfluid.heap.Heap;
import org.graalvm.visualvm.lib.jfluid.heap.HeapFactory;
import org.graalvm.visualvm.lib.jfluid.heap.Instance;
import org.graalvm.visualvm.lib.jfluid.heap.JavaClass;
import org.graalvm.visualvm.lib.jfluid.heap.ObjectArrayInstance;
import org.graalvm.visualvm.lib.jfluid.heap.ObjectFieldValue;
import org.graalvm.visualvm.lib.jfluid.heap.PrimitiveArrayInstance;

public final class HeapCheck {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: HeapCheck DUMP ring CLASS N | fields CLASS | layout CLASS | count CLASS | threads | roots ...");
            System.exit(2);
        }
        Heap heap = HeapFactory.createHeap(new File(args[0]));
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
            case "ring":
                ring(heap, args[i + 1], Integer.parseInt(args[i + 2]));
                i += 2;
                break;
            case "fields":
                fields(heap, args[++i]);
                break;
            case "layout":
                layout(heap, args[++i]);
                break;
            case "count":
                System.out.println("count " + mustFind(heap, args[++i]).getInstancesCount());
                break;
            case "threads":
                threads(heap);
                break;
            case "roots":
                roots(heap);
                break;
            default:
                System.err.println("unknown command " + args[i]);
                System.exit(2);
            }
        }
    }

    private static JavaClass mustFind(Heap heap, String name) {
        JavaClass cls = heap.getJavaClassByName(name);
        if (cls == null) {
            System.out.println("no class " + name);
            System.exit(1);
        }
        return cls;
    }

    private static long number(Instance instance, String field) {
        Object value = instance.getValueOfField(field);
        return value instanceof Number ? ((Number) value).longValue() : Long.MIN_VALUE;
    }

    private static void ring(Heap heap, String className, int n) {
        JavaClass cls = mustFind(heap, className);
        List<Instance> instances = cls.getInstances();
        System.out.println("instances " + instances.size());
        Set<Long> ids = new HashSet<>();
        int stampOk = 0, nextClassOk = 0, nextIdOk = 0;
        Instance sample = null;
        for (Instance instance : instances) {
            long id = number(instance, "id");
            ids.add(id);
            if (number(instance, "stamp") == id * 1000003L)
                stampOk++;
            Object next = instance.getValueOfField("next");
            if (next instanceof Instance && ((Instance) next).getJavaClass().equals(cls)) {
                nextClassOk++;
                if (number((Instance) next, "id") == (id + 1) % n)
                    nextIdOk++;
            }
            if (id == 7)
                sample = instance;
        }
        System.out.println("ids_distinct " + ids.size());
        System.out.println("stamp_ok " + stampOk);
        System.out.println("next_class_ok " + nextClassOk);
        System.out.println("next_id_ok " + nextIdOk);
        int steps = -1;
        if (!instances.isEmpty()) {
            Instance first = instances.get(0), at = first;
            for (int i = 1; i <= instances.size() + 1; i++) {
                Object next = at.getValueOfField("next");
                if (!(next instanceof Instance))
                    break;
                at = (Instance) next;
                if (at.getInstanceId() == first.getInstanceId()) {
                    steps = i;
                    break;
                }
            }
        }
        System.out.println("ring " + steps);
        if (sample != null)
            System.out.println("sample id=" + number(sample, "id") + " stamp=" + number(sample, "stamp"));
    }

    /* The text of a java.lang.String instance (compact strings or char[]). */
    static String text(Instance string) {
        Object value = string.getValueOfField("value");
        if (!(value instanceof PrimitiveArrayInstance))
            return null;
        List<String> elements = ((PrimitiveArrayInstance) value).getValues();
        Object coder = string.getValueOfField("coder");
        StringBuilder out = new StringBuilder();
        String arrayType = ((Instance) value).getJavaClass().getName();
        if (arrayType.equals("char[]")) {
            for (String c : elements)
                out.append(c.charAt(0));
        } else if (coder instanceof Number && ((Number) coder).intValue() == 1) {
            for (int i = 0; i + 1 < elements.size(); i += 2) {
                int lo = Integer.parseInt(elements.get(i)) & 0xff, hi = Integer.parseInt(elements.get(i + 1)) & 0xff;
                out.append((char) (lo | hi << 8));
            }
        } else {
            for (String b : elements)
                out.append((char) (Integer.parseInt(b) & 0xff));
        }
        return out.toString();
    }

    private static String describe(Object value) {
        if (!(value instanceof Instance))
            return String.valueOf(value);
        Instance instance = (Instance) value;
        String type = instance.getJavaClass().getName();
        if (type.equals("java.lang.String"))
            return '"' + text(instance) + '"';
        if (instance instanceof PrimitiveArrayInstance)
            return type + ((PrimitiveArrayInstance) instance).getValues();
        if (instance instanceof ObjectArrayInstance)
            return type + "(" + ((ObjectArrayInstance) instance).getLength() + ")";
        return "<" + type + ">";
    }

    private static void fields(Heap heap, String className) {
        JavaClass cls = mustFind(heap, className);
        List<String> lines = new ArrayList<>();
        for (Instance instance : cls.getInstances()) {
            // Sorted by name: the order of fields within a class is the dump's own affair.
            List<String> pairs = new ArrayList<>();
            for (FieldValue field : instance.getFieldValues())
                pairs.add(field.getField().getName() + "=" + (field instanceof ObjectFieldValue
                        ? describe(((ObjectFieldValue) field).getInstance()) : field.getValue()));
            pairs.sort(null);
            lines.add("instance " + String.join(" ", pairs));
        }
        lines.sort(null);
        for (String line : lines)
            System.out.println(line);
        List<String> statics = new ArrayList<>();
        for (JavaClass c = cls; c != null; c = c.getSuperClass())
            for (FieldValue field : c.getStaticFieldValues())
                statics.add("static " + c.getName() + "." + field.getField().getName() + "="
                        + (field instanceof ObjectFieldValue
                                ? describe(((ObjectFieldValue) field).getInstance()) : field.getValue()));
        statics.sort(null);
        for (String line : statics)
            System.out.println(line);
    }

    private static void layout(Heap heap, String className) {
        for (JavaClass c = mustFind(heap, className); c != null; c = c.getSuperClass()) {
            StringBuilder line = new StringBuilder("layout " + c.getName());
            for (Field field : c.getFields())
                line.append(' ').append(field.getName());
            System.out.println(line);
        }
    }

    private static void threads(Heap heap) {
        List<String> names = new ArrayList<>();
        Collection<JavaClass> threadClasses = new ArrayList<>();
        JavaClass thread = mustFind(heap, "java.lang.Thread");
        threadClasses.add(thread);
        threadClasses.addAll(thread.getSubClasses());
        for (JavaClass cls : threadClasses)
            for (Instance instance : cls.getInstances()) {
                Object name = instance.getValueOfField("name");
                names.add(name instanceof Instance ? String.valueOf(text((Instance) name)) : "null");
            }
        names.sort(null);
        for (String name : names)
            System.out.println("thread " + name);
    }

    private static void roots(Heap heap) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (GCRoot root : heap.getGCRoots())
            kinds.merge(root.getKind().replace(' ', '_'), 1, Integer::sum);
        for (Map.Entry<String, Integer> kind : kinds.entrySet())
            System.out.println("root " + kind.getKey() + " " + kind.getValue());
    }
}
