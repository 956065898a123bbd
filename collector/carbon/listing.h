/*
 * directory_listing.txt (listing.c): every entry below CARBON_HOME with its
 * type, mode, owner, size, modification time and link target.
 *
 *   cd_listing_section  the listing section
 */
#ifndef CARBONDUMP_COLLECTOR_LISTING_H
#define CARBONDUMP_COLLECTOR_LISTING_H

#include "base/run_context.h"
#include "carbondump/error.h"

/* The listing section: directory_listing.txt. */
int cd_listing_section(cd_run *run, cd_error *err);

#endif
