/*
 * The files section's decisions (collector/files.c): what is key material,
 * what is a lock file, and how much of which log fits the caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/files.h"

static void key_material_is_recognised_by_extension_and_root_password_files(void **state)
{
    assert_true(cd_files_is_key_material("repository/resources/security/wso2carbon.jks"));
    assert_true(cd_files_is_key_material("repository/resources/security/wso2carbon.P12"));
    assert_true(cd_files_is_key_material("repository/conf/security/client.pfx"));
    assert_true(cd_files_is_key_material("repository/conf/x.keystore"));
    assert_true(cd_files_is_key_material("repository/resources/security/apim.pem"));
    assert_true(cd_files_is_key_material("repository/conf/tls.key"));
    assert_true(cd_files_is_key_material("password"));
    assert_true(cd_files_is_key_material("password-tmp"));
    assert_true(cd_files_is_key_material("password-persist"));
}

static void similar_names_are_not_key_material(void **state)
{
    assert_false(cd_files_is_key_material("repository/conf/password"));
    assert_false(cd_files_is_key_material("passwords.txt"));
    assert_false(cd_files_is_key_material("repository/conf/keystore.xml"));
    assert_false(cd_files_is_key_material("repository/conf/api.key.properties"));
    assert_false(cd_files_is_key_material(".jks"));
}

static void lock_files_are_recognised(void **state)
{
    assert_true(cd_files_is_lock_file("wso2carbon.log.lck"));
    assert_true(cd_files_is_lock_file("write.lock"));
    assert_true(cd_files_is_lock_file(".lock"));
    assert_true(cd_files_is_lock_file("WSO2CARBON_DB.lock.db"));
    assert_false(cd_files_is_lock_file("WSO2CARBON_DB.mv.db"));
    assert_false(cd_files_is_lock_file("account.lock.policy.xml"));
}

static void plans_the_newest_logs_first_within_both_caps(void **state)
{
    cd_log_file logs[] = {
        {"old.log", 300, 100, 0, 0},
        {"newest.log", 500, 300, 0, 0},
        {"middle.log", 50, 200, 0, 0},
    };
    cd_files_plan_logs(logs, 3, 400, 600);
    assert_string_equal(logs[0].path, "newest.log");
    assert_int_equal(logs[0].keep_bytes, 400); /* its last 400 (per-file cap) */
    assert_string_equal(logs[1].path, "middle.log");
    assert_int_equal(logs[1].keep_bytes, 50);
    assert_string_equal(logs[2].path, "old.log");
    assert_int_equal(logs[2].keep_bytes, 150); /* what the total leaves */
}

static void a_compressed_log_fits_whole_or_not_at_all(void **state)
{
    cd_log_file logs[] = {
        {"a.log", 100, 300, 0, 0},
        {"b.log.gz", 80, 200, 1, 0},
        {"c.log.gz", 10, 100, 1, 0},
    };
    cd_files_plan_logs(logs, 3, 1000, 150);
    assert_int_equal(logs[0].keep_bytes, 100);
    assert_string_equal(logs[1].path, "b.log.gz");
    assert_int_equal(logs[1].keep_bytes, 0); /* 80 > the 50 left */
    assert_string_equal(logs[2].path, "c.log.gz");
    assert_int_equal(logs[2].keep_bytes, 10);
}

static void logs_of_the_same_time_go_by_path_and_zero_caps_copy_nothing(void **state)
{
    cd_log_file logs[] = {{"b.log", 10, 5, 0, 0}, {"a.log", 10, 5, 0, 0}};
    cd_files_plan_logs(logs, 2, 0, 1000);
    assert_string_equal(logs[0].path, "a.log");
    assert_int_equal(logs[0].keep_bytes, 0);
    assert_int_equal(logs[1].keep_bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_material_is_recognised_by_extension_and_root_password_files),
        cmocka_unit_test(similar_names_are_not_key_material),
        cmocka_unit_test(lock_files_are_recognised),
        cmocka_unit_test(plans_the_newest_logs_first_within_both_caps),
        cmocka_unit_test(a_compressed_log_fits_whole_or_not_at_all),
        cmocka_unit_test(logs_of_the_same_time_go_by_path_and_zero_caps_copy_nothing),
    };
    return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
