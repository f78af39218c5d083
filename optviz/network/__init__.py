"""Small real networks trained on data, with the surfaces' optimizers and schedules.

``data`` draws and splits the datasets, ``model`` declares the network, ``kernel`` is the
compiled training loop, ``train`` its Python entry point, ``planes`` the landscape slices and
``sharpness`` the Hessian's top eigenvalue.
"""
