#pragma once
// Everything weft offers, in one include.

#include <weft/runtime/config.hpp>
#include <weft/runtime/errors.hpp>
#include <weft/runtime/join_handle.hpp>
#include <weft/runtime/oneshot.hpp>
#include <weft/runtime/runtime.hpp>
#include <weft/runtime/task.hpp>
#include <weft/runtime/time.hpp>
#include <weft/runtime/yield.hpp>
#include <weft/scheduler/coop.hpp>
#include <weft/scheduler/waker.hpp>
