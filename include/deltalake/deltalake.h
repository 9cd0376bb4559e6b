/*
 * deltalake/deltalake.h - umbrella header of libdeltalake: includes every
 * public module header. See each header for its API. The storage backend
 * ABI (deltalake/sys/storage.h) has a weaker stability promise and is
 * included on its own.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_DELTALAKE_H
#define DELTALAKE_DELTALAKE_H

#include "deltalake/alter.h"
#include "deltalake/arrow_abi.h"
#include "deltalake/arrow_json.h"
#include "deltalake/check.h"
#include "deltalake/config.h"
#include "deltalake/connector.h"
#include "deltalake/dml.h"
#include "deltalake/errors.h"
#include "deltalake/expr.h"
#include "deltalake/maintenance.h"
#include "deltalake/parquet.h"
#include "deltalake/progress.h"
#include "deltalake/scan.h"
#include "deltalake/schema.h"
#include "deltalake/table.h"
#include "deltalake/types.h"
#include "deltalake/version.h"
#include "deltalake/where.h"
#include "deltalake/write.h"

#endif
