/*
 * Which methods can hold a monitor (agent/thread_model.c,
 * cd_bytecode_may_lock): a late-attach thread dump asks ThreadMXBean only for
 * threads running such a method, so the scan must find every monitorenter,
 * never mistake an operand byte for one, and answer "may lock" whenever it
 * cannot tell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "threads/thread_model.h"

#define SCAN(code) cd_bytecode_may_lock(code, sizeof code)

/* javac's synchronized (o) { return k + 1; } */
static void a_synchronized_block_may_lock(void **state)
{
    (void)state;
    static const unsigned char code[] = {
        0x2a,             /* aload_0 */
        0x59,             /* dup */
        0x4d,             /* astore_2 */
        0xc2,             /* monitorenter */
        0x1b, 0x04, 0x60, /* iload_1 iconst_1 iadd */
        0x2c, 0xc3,       /* aload_2 monitorexit */
        0xac,             /* ireturn */
    };
    assert_int_equal(1, SCAN(code));
}

static void straight_code_does_not_lock(void **state)
{
    (void)state;
    static const unsigned char code[] = {
        0x2a, 0xb6, 0x00, 0x07, /* aload_0 invokevirtual #7 */
        0x57, 0xb1,             /* pop return */
    };
    assert_int_equal(0, SCAN(code));
}

static void an_operand_byte_is_not_an_instruction(void **state)
{
    (void)state;
    static const unsigned char code[] = {
        0x11, 0xc2, 0xc2,       /* sipush 0xc2c2 */
        0xb8, 0x00, 0xc2,       /* invokestatic #194 */
        0xb9, 0x00, 0xc2, 1, 0, /* invokeinterface #194, 1 */
        0xac,                   /* ireturn */
    };
    assert_int_equal(0, SCAN(code));
}

/* tableswitch at 1: two padding bytes, default, low 0, high 1, two offsets
 * (0xc2 inside them), then the code after it */
static void a_tableswitch_is_stepped_over_whole(void **state)
{
    (void)state;
    static const unsigned char code[] = {
        0x1b, 0xaa, 0, 0, 0, 0,    0,    0x17, 0, 0, 0,    0,    0,
        0,    0,    1, 0, 0, 0xc2, 0xc2, 0,    0, 0, 0x15, 0x03, 0xac,
    };
    assert_int_equal(0, SCAN(code));
}

/* lookupswitch at 0: three padding bytes, default, one pair, then monitorenter */
static void code_after_a_lookupswitch_is_read(void **state)
{
    (void)state;
    static const unsigned char code[] = {
        0xab, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 1, 0, 0, 0, 0xc2, 0, 0, 0, 0x14, 0x2a, 0xc2, 0xb1,
    };
    assert_int_equal(1, SCAN(code));
}

static void wide_iinc_is_six_bytes(void **state)
{
    (void)state;
    static const unsigned char iinc[] = {0xc4, 0x84, 0x01, 0x00, 0x00, 0xc2, 0xb1};
    assert_int_equal(0, SCAN(iinc));
    static const unsigned char load[] = {0xc4, 0x15, 0x01, 0xc2, 0xc2, 0xb1};
    assert_int_equal(1, SCAN(load)); /* wide iload is four: the fifth byte is monitorenter */
}

static void what_cannot_be_told_may_lock(void **state)
{
    (void)state;
    static const unsigned char unknown_opcode[] = {0x2a, 0xfe, 0xb1};
    assert_int_equal(1, SCAN(unknown_opcode));
    static const unsigned char cut_short[] = {0x2a, 0x11, 0x00};
    assert_int_equal(1, SCAN(cut_short));
    static const unsigned char huge_switch[] = {0xaa, 0, 0, 0, 0,    0,    0,    0,
                                                0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    assert_int_equal(1, SCAN(huge_switch));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_synchronized_block_may_lock),
        cmocka_unit_test(straight_code_does_not_lock),
        cmocka_unit_test(an_operand_byte_is_not_an_instruction),
        cmocka_unit_test(a_tableswitch_is_stepped_over_whole),
        cmocka_unit_test(code_after_a_lookupswitch_is_read),
        cmocka_unit_test(wide_iinc_is_six_bytes),
        cmocka_unit_test(what_cannot_be_told_may_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
