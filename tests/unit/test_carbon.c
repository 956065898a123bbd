/*
 * What the carbon section reads from an installation (collector/carbon.c):
 * carbon.xml's product fields, WUM timestamps and patch directory names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/carbon.h"

static void parse(const char *xml, cd_carbon_xml *out)
{
    cd_carbon_xml_parse(xml, strlen(xml), out);
}

static void reads_product_fields_from_direct_children_of_server(void **state)
{
    cd_carbon_xml x;
    parse("<?xml version=\"1.0\"?>\n"
          "<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">\n"
          "    <Name>WSO2 API Manager</Name>\n"
          "    <ServerKey>AM</ServerKey>\n"
          "    <Version>2.6.0</Version>\n"
          "    <HostName>am.example.com</HostName>\n"
          "    <Ports><Offset>3</Offset></Ports>\n"
          "</Server>\n",
          &x);
    assert_string_equal(x.name, "WSO2 API Manager");
    assert_string_equal(x.server_key, "AM");
    assert_string_equal(x.version, "2.6.0");
    assert_string_equal(x.host_name, "am.example.com");
    assert_string_equal(x.offset, "3");
}

static void ignores_commented_out_and_nested_fields(void **state)
{
    cd_carbon_xml x;
    parse(
        "<Server>\n"
        "  <!-- <Name>Old Product</Name> <Version>1.0</Version> -->\n"
        "  <Security><KeyStore><Name>wso2carbon</Name><Version>9</Version></KeyStore></Security>\n"
        "  <Name>WSO2 Identity Server</Name>\n"
        "  <Version>7.1.0</Version>\n"
        "  <Name>second</Name>\n"
        "  <Other><Ports><Offset>9</Offset></Ports></Other>\n"
        "</Server>",
        &x);
    assert_string_equal(x.name, "WSO2 Identity Server");
    assert_string_equal(x.version, "7.1.0");
    assert_string_equal(x.offset, "");
}

static void decodes_entities_and_cdata_and_trims(void **state)
{
    cd_carbon_xml x;
    parse("<s:Server xmlns:s=\"x\"><s:Name>\n  A &amp; B &#65;&#x42; <![CDATA[<c>]]>\n</s:Name>"
          "<ServerKey><b>ignored</b>K</ServerKey></s:Server>",
          &x);
    assert_string_equal(x.name, "A & B AB <c>");
    assert_string_equal(x.server_key, "K");
}

static void reads_nothing_when_the_root_is_not_server(void **state)
{
    cd_carbon_xml x;
    parse("<Config><Name>n</Name><Version>v</Version></Config>", &x);
    assert_string_equal(x.name, "");
    assert_string_equal(x.version, "");
}

static void survives_truncated_xml(void **state)
{
    cd_carbon_xml x;
    parse("<Server><Name>Cut Off", &x);
    assert_string_equal(x.name, "Cut Off");
    parse("<Server><Version attr=\"never closed", &x);
    assert_string_equal(x.version, "");
}

static void finds_the_wum_timestamp_in_product_txt(void **state)
{
    assert_int_equal(cd_carbon_wum_timestamp("wso2am-2.6.0.1561534063669"), 1561534063669LL);
    assert_int_equal(cd_carbon_wum_timestamp("wso2am-2.6.0"), 0);
    assert_int_equal(cd_carbon_wum_timestamp("wso2am-2.6.0.156153406366"), 0);
    assert_int_equal(cd_carbon_wum_timestamp("wso2am-2.6.0.1561534063669x"), 0);
    assert_int_equal(cd_carbon_wum_timestamp(NULL), 0);
}

static void numbers_patch_directories(void **state)
{
    assert_int_equal(cd_carbon_patch_number("patch0001"), 1);
    assert_int_equal(cd_carbon_patch_number("patch1234"), 1234);
    assert_int_equal(cd_carbon_patch_number("patch"), -1);
    assert_int_equal(cd_carbon_patch_number("patch12a"), -1);
    assert_int_equal(cd_carbon_patch_number(".metadata"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_product_fields_from_direct_children_of_server),
        cmocka_unit_test(ignores_commented_out_and_nested_fields),
        cmocka_unit_test(decodes_entities_and_cdata_and_trims),
        cmocka_unit_test(reads_nothing_when_the_root_is_not_server),
        cmocka_unit_test(survives_truncated_xml),
        cmocka_unit_test(finds_the_wum_timestamp_in_product_txt),
        cmocka_unit_test(numbers_patch_directories),
    };
    return cmocka_run_group_tests_name("carbon", tests, NULL, NULL);
}
