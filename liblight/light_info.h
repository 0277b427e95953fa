/* light_info.h - placeholder; its owner fills it in. */
#ifndef LIGHTSTACK_LIGHT_INFO_H
#define LIGHTSTACK_LIGHT_INFO_H
#endif
