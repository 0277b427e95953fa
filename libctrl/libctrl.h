/* libctrl.h - placeholder; its owner fills it in. */
#ifndef LIGHTSTACK_LIBCTRL_H
#define LIGHTSTACK_LIBCTRL_H
#endif
