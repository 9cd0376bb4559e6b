/* util/version.c - library version strings. */
#include "deltalake/version.h"

#ifndef DLK_VERSION_STRING
#define DLK_VERSION_STRING "0.1.0"
#endif

const char *dlk_version(void)
{
    return DLK_VERSION_STRING;
}
const char *dlk_engine_info(void)
{
    return "deltalake-connector/" DLK_VERSION_STRING;
}
